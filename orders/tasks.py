"""Celery tasks: thin wrappers that take ids and call one function."""

from __future__ import annotations

import random

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from orders import pipeline
from orders.errors import RetryLater
from orders.notices import send_test_webhook_notice


def retry_delay(retries: int) -> float:
    """Seconds before the next try: doubling, capped, the upper half jittered."""
    ceiling = get_exponential_backoff_interval(
        factor=settings.PROVISION_RETRY_BACKOFF,
        retries=retries,
        maximum=settings.PROVISION_RETRY_BACKOFF_MAX,
    )
    # Not full jitter: a near-zero pause would spend a retry on an outage
    # that has barely begun. Half the pause spreads the workers well enough.
    return ceiling / 2 + random.uniform(0, ceiling / 2)


@shared_task(bind=True, max_retries=settings.PROVISION_MAX_RETRIES)
def provision_order(self, order_id: int, refetch: bool = False) -> str | None:
    """Provision one order, resuming where an earlier run stopped."""
    final_attempt = self.request.retries >= self.max_retries
    try:
        state = pipeline.provision_order(
            order_id,
            task_id=self.request.id,
            final_attempt=final_attempt,
            refetch=refetch,
        )
    except RetryLater as err:
        raise self.retry(exc=err, countdown=retry_delay(self.request.retries)) from err
    return str(state) if state else None


@shared_task(bind=True, max_retries=settings.PROVISION_MAX_RETRIES)
def send_test_webhook_email(self, delivery_id: int) -> None:
    """Email staff that a test webhook arrived."""
    final_attempt = self.request.retries >= self.max_retries
    try:
        send_test_webhook_notice(delivery_id, final_attempt=final_attempt)
    except RetryLater as err:
        raise self.retry(exc=err, countdown=retry_delay(self.request.retries)) from err
