"""The test-webhook email, with the same retry-then-record rule as the pipeline."""

from __future__ import annotations

from notifications.emails import NotificationError
from notifications.order_emails import send_test_email
from orders.errors import RetryLater
from orders.failures import record_intake_failure
from orders.models import FailureKind, WebhookDelivery


def send_test_webhook_notice(delivery_id: int, *, final_attempt: bool) -> None:
    """Email staff about a test delivery; record a failure if it cannot be sent."""
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    try:
        send_test_email(delivery.remote_addr)
    except NotificationError as err:
        if err.transient and not final_attempt:
            raise RetryLater(err.message) from err
        record_intake_failure(
            delivery, FailureKind.NOTIFICATION_FAILED, f"Test email: {err.message}"
        )
