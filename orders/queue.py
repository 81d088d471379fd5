"""Put orders on the work queue, only once the rows they need are committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from orders.failures import record_failure, resolve_order_failures
from orders.models import FailureKind, Order, OrderState

logger = logging.getLogger(__name__)

QUEUE_DOWN_MESSAGE = "Not queued: the work queue is unavailable. It is tried again."


class QueueUnavailable(Exception):
    """The broker did not take the order; it waits, recorded as a failure."""


def enqueue_order(order_id: int, *, refetch: bool = False) -> None:
    """Send the order to a worker after the current transaction commits."""
    from orders.tasks import provision_order

    transaction.on_commit(lambda: provision_order.delay(order_id, refetch=refetch))


def stalled_since() -> datetime:
    """Orders untouched since then should have moved: their work was lost."""
    return timezone.now() - timedelta(minutes=settings.PROVISION_STALLED_AFTER_MINUTES)


def stalled_orders() -> QuerySet[Order]:
    """Orders waiting unqueued, or processing by a worker that died."""
    not_queued = Q(
        state=OrderState.RECEIVED,
        failures__kind=FailureKind.QUEUE_UNAVAILABLE,
        failures__resolved=False,
    )
    untouched = Q(
        state__in=[OrderState.RECEIVED, OrderState.PROCESSING],
        updated_at__lt=stalled_since(),
    )
    return Order.objects.filter(not_queued | untouched).distinct()


def reopen_order(order: Order, changes: Mapping[str, object] | None = None) -> bool:
    """Put a failed, waiting or stalled order back to received; False if not.

    The changes (such as a plan staff chose) are written in the same UPDATE,
    so an order a worker holds is left exactly as it is.
    """
    retryable = Q(state__in=[OrderState.FAILED, OrderState.RECEIVED]) | Q(
        state=OrderState.PROCESSING, updated_at__lt=stalled_since()
    )
    updated = Order.objects.filter(retryable, pk=order.pk).update(
        state=OrderState.RECEIVED,
        task_id="",
        updated_at=timezone.now(),
        **(changes or {}),
    )
    return bool(updated)


def requeue_order(
    order: Order,
    *,
    refetch: bool = False,
    changes: Mapping[str, object] | None = None,
) -> bool:
    """Send a failed, waiting or stalled order to a worker again; False if not."""
    try:
        with transaction.atomic():
            reopened = reopen_order(order, changes)
            if reopened:
                enqueue_order(order.pk, refetch=refetch)
    except OperationalError as err:
        logger.exception("work queue unavailable; order %s waits", order.orderref)
        record_not_queued(order, QUEUE_DOWN_MESSAGE)
        raise QueueUnavailable(QUEUE_DOWN_MESSAGE) from err
    if reopened:
        logger.info("order %s queued again", order.orderref)
    return reopened


def park_order(order: Order) -> bool:
    """Leave a retried order waiting for the sweep, the queue being known down."""
    if not reopen_order(order):
        return False
    record_not_queued(order, QUEUE_DOWN_MESSAGE)
    return True


def record_not_queued(order: Order, message: str) -> None:
    """Record that the order waits for the queue, so staff and the sweep see it."""
    record_failure(order, FailureKind.QUEUE_UNAVAILABLE, message)
    # A publish that timed out may have reached the broker after all, and a
    # worker may have taken the order before the record was written.
    if not Order.objects.filter(pk=order.pk, state=OrderState.RECEIVED).exists():
        settle_not_queued(order)


def settle_not_queued(order: Order) -> None:
    """Close the order's not-queued record: a worker has taken the order."""
    resolve_order_failures(
        order,
        "Resolved automatically: a worker took the order.",
        kind=FailureKind.QUEUE_UNAVAILABLE,
    )


def requeue_orders(orders: Iterable[Order]) -> Iterator[tuple[Order, str]]:
    """Queue each order again; yield it with "queued", "skipped" or why not."""
    for order in orders:
        try:
            outcome = "queued" if requeue_order(order) else "skipped"
        except QueueUnavailable as err:
            outcome = str(err)
        yield order, outcome
