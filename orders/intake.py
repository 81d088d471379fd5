"""Webhook intake: store the raw delivery, then the order, then queue the work.

The delivery row is written first, before anything can fail, so no delivery is
ever lost. Upstreams are never called here: the answer must not wait on them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare
from kombu.exceptions import OperationalError

from orders.failures import record_intake_failure
from orders.models import FailureKind, Order, OrderState, WebhookDelivery
from orders.queue import enqueue_order, record_not_queued
from uac.masking import MASK, mask_secrets, mask_text
from uac.text import storable

logger = logging.getLogger(__name__)

NEW_ORDER_MSG = "Project New Order"
TEST_MSG = "Test"
SECRET_HEADER = "X-Webhook-Token"  # noqa: S105 (a header name)
SECRET_PARAMETER = "token"  # noqa: S105 (a parameter name)
ORDERREF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_STORED_BODY = 100_000
Outcome = WebhookDelivery.Outcome


@dataclass
class IntakeAnswer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


@dataclass
class IncomingWebhook:
    method: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    remote_addr: str | None
    too_large: bool = False


def receive_webhook(incoming: IncomingWebhook) -> IntakeAnswer:
    """Store a delivery and act on it; return the HTTP answer for Utopia."""
    delivery = store_delivery(incoming)
    if incoming.method != "POST":
        return reject(delivery, 405, "Only POST is accepted.", record=False)
    if not has_valid_secret(incoming):
        return reject(delivery, 401, "The webhook token is missing or wrong.")
    if incoming.too_large:
        return reject(delivery, 413, "The body is too large to be a Utopia webhook.")

    payload = parse_payload(incoming.body)
    if payload is None:
        return reject(delivery, 400, "The body is not a JSON object.")
    delivery.msg = storable(str(payload.get("msg") or payload.get("event") or ""))[:100]
    orderref = payload.get("orderref")
    delivery.orderref = storable(str(orderref or ""))[:64]

    if delivery.msg == TEST_MSG:
        return accept_test(delivery)
    if delivery.msg != NEW_ORDER_MSG:
        return finish(delivery, Outcome.IGNORED, 200, {"status": "ignored"})
    if not isinstance(orderref, str) or not ORDERREF_PATTERN.fullmatch(orderref):
        return reject(delivery, 400, "The delivery has no usable orderref.")
    return accept_order(delivery, orderref)


def store_delivery(incoming: IncomingWebhook) -> WebhookDelivery:
    headers = mask_secrets({k: storable(v) for k, v in incoming.headers.items()})
    if incoming.query:
        query = {
            storable(key): MASK if key == SECRET_PARAMETER else storable(value)
            for key, value in incoming.query.items()
        }
        headers["Query-String"] = mask_secrets(query)
    return WebhookDelivery.objects.create(
        method=incoming.method[:10],
        remote_addr=incoming.remote_addr,
        headers=headers,
        body=mask_text(
            storable(incoming.body[:MAX_STORED_BODY].decode("utf-8", "replace"))
        ),
    )


def has_valid_secret(incoming: IncomingWebhook) -> bool:
    given = incoming.headers.get(SECRET_HEADER) or incoming.query.get(SECRET_PARAMETER)
    return bool(given) and constant_time_compare(given, settings.WEBHOOK_SECRET)


def parse_payload(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return None
    return payload if isinstance(payload, dict) else None


def accept_order(delivery: WebhookDelivery, orderref: str) -> IntakeAnswer:
    """Create the order once; a repeat delivery never starts a second run."""
    order, created = create_or_get_order(orderref)
    delivery.order = order
    delivery.outcome = Outcome.ACCEPTED if created else Outcome.REPEATED
    delivery.save(update_fields=["order", "outcome", "msg", "orderref"])
    try:
        if created or order.state == OrderState.RECEIVED:
            # A waiting order may have missed its queue message; queueing
            # again is safe because a worker claims an order only once.
            enqueue_order(order.pk)
    except OperationalError:
        logger.exception("work queue unavailable; order %s waits", orderref)
        reason = "Stored, but the work queue is unavailable: send it again later."
        # Utopia sends it again; until then staff see it, and requeue_stalled
        # queues it if no delivery does.
        record_not_queued(order, reason)
        return finish(delivery, Outcome.ACCEPTED, 503, {"error": reason}, reason)
    status = "accepted" if created else "already received"
    return IntakeAnswer(200, {"status": status, "orderref": orderref})


def create_or_get_order(orderref: str) -> tuple[Order, bool]:
    """Insert the order, or read it if it exists; True when this call made it."""
    # The unique orderref decides between concurrent deliveries: the loser's
    # insert fails and it reads the winner's committed row. Inserting first
    # saves the read in the usual case, a new order.
    try:
        with transaction.atomic():
            return Order.objects.create(orderref=orderref), True
    except IntegrityError:
        return Order.objects.get(orderref=orderref), False


def accept_test(delivery: WebhookDelivery) -> IntakeAnswer:
    from orders.tasks import send_test_webhook_email

    try:
        with transaction.atomic():
            delivery.outcome = Outcome.TEST
            delivery.save(update_fields=["outcome", "msg", "orderref"])
            transaction.on_commit(lambda: send_test_webhook_email.delay(delivery.pk))
    except OperationalError:
        logger.exception("work queue unavailable; test email not queued")
        reason = "The work queue is unavailable: no test email was sent."
        return finish(delivery, Outcome.TEST, 503, {"error": reason}, reason)
    return IntakeAnswer(200, {"status": "test received"})


def reject(
    delivery: WebhookDelivery, status: int, reason: str, *, record: bool = True
) -> IntakeAnswer:
    if record:
        record_intake_failure(delivery, FailureKind.INVALID_WEBHOOK, reason)
    logger.warning("webhook delivery %s rejected: %s", delivery.pk, reason)
    return finish(delivery, Outcome.REJECTED, status, {"error": reason}, reason)


def finish(
    delivery: WebhookDelivery,
    outcome: str,
    status: int,
    body: dict[str, Any],
    reason: str = "",
) -> IntakeAnswer:
    delivery.outcome = outcome
    delivery.reason = reason
    delivery.save(update_fields=["outcome", "reason", "msg", "orderref"])
    return IntakeAnswer(status, body)
