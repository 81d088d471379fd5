"""Put orders on the work queue, only once the rows they need are committed."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from orders.models import Order, OrderState

logger = logging.getLogger(__name__)


def enqueue_order(order_id: int, *, refetch: bool = False) -> None:
    """Send the order to a worker after the current transaction commits."""
    from orders.tasks import provision_order

    transaction.on_commit(lambda: provision_order.delay(order_id, refetch=refetch))


def stalled_since() -> datetime:
    """Orders untouched since then should have moved: their work was lost."""
    return timezone.now() - timedelta(minutes=settings.PROVISION_STALLED_AFTER_MINUTES)


def stalled_orders() -> QuerySet[Order]:
    """Orders waiting unqueued, or processing by a worker that died."""
    return Order.objects.filter(
        state__in=[OrderState.RECEIVED, OrderState.PROCESSING],
        updated_at__lt=stalled_since(),
    )


def reopen_order(order: Order) -> bool:
    """Put a failed, waiting or stalled order back to received; False if not."""
    retryable = Q(state__in=[OrderState.FAILED, OrderState.RECEIVED]) | Q(
        state=OrderState.PROCESSING, updated_at__lt=stalled_since()
    )
    updated = Order.objects.filter(retryable, pk=order.pk).update(
        state=OrderState.RECEIVED, task_id="", updated_at=timezone.now()
    )
    return bool(updated)


def requeue_order(order: Order, *, refetch: bool = False) -> bool:
    """Send a failed, waiting or stalled order to a worker again; False if not."""
    with transaction.atomic():
        reopened = reopen_order(order)
        if reopened:
            enqueue_order(order.pk, refetch=refetch)
    if reopened:
        logger.info("order %s queued again", order.orderref)
    return reopened
