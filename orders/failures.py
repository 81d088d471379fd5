"""Failure records: one per order and kind, counted each time it recurs."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orders.models import Failure, Order, WebhookDelivery
from uac.masking import mask_text

logger = logging.getLogger(__name__)


def record_failure(order: Order, kind: str, message: str) -> Failure:
    """Record that something could not be done for an order, or count it again."""
    message = mask_text(message)
    with transaction.atomic():
        failure, created = Failure.objects.select_for_update().get_or_create(
            order=order,
            kind=kind,
            defaults={
                "orderref": order.orderref,
                "message": message,
                "customer_data": order.contact_details(),
            },
        )
        if not created:
            recur(failure, message, customer_data=order.contact_details())
    logger.warning("order %s failure recorded: %s", order.orderref, kind)
    return failure


def record_intake_failure(
    delivery: WebhookDelivery, kind: str, message: str
) -> Failure:
    """Record a webhook that could not be used; the same problem is counted."""
    # A partial unique constraint (one open failure per kind and message)
    # decides between concurrent deliveries: the loser counts the winner's.
    while True:
        try:
            with transaction.atomic():
                # No orderref: the delivery has none that could be used.
                return Failure.objects.create(
                    kind=kind, message=message, delivery=delivery
                )
        except IntegrityError:
            pass
        with transaction.atomic():
            failure = (
                Failure.objects.select_for_update()
                .filter(order=None, kind=kind, message=message, resolved=False)
                .first()
            )
            if failure is not None:  # else staff resolved it meanwhile: create
                recur(failure, message, delivery=delivery)
                return failure


def recur(failure: Failure, message: str, **changes: object) -> None:
    """Count a failure again; one that had been resolved opens again."""
    Failure.objects.filter(pk=failure.pk).update(
        occurrences=F("occurrences") + 1,
        last_seen=timezone.now(),
        message=message,
        resolved=False,
        resolved_at=None,
        resolved_by=None,
        **changes,
    )
    failure.refresh_from_db()


def resolve_failure(
    failure: Failure, *, user: AbstractBaseUser | None, note: str = ""
) -> None:
    """Mark a failure as dealt with, noting who and when."""
    failure.resolved = True
    failure.resolved_by = user if user is not None and user.pk else None
    failure.resolved_at = timezone.now()
    failure.note = note or failure.note
    failure.save(update_fields=["resolved", "resolved_by", "resolved_at", "note"])


def resolve_order_failures(order: Order, note: str, *, kind: str = "") -> int:
    """Resolve an order's open failures (of one kind, if given) that are moot."""
    failures = order.failures.filter(resolved=False)
    if kind:
        failures = failures.filter(kind=kind)
    return failures.update(resolved=True, resolved_at=timezone.now(), note=note)
