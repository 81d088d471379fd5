"""The staff email that tells how an order ended."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from notifications.emails import send_staff_email
from orders.models import Order, OrderState, ProvisioningSettings
from powercode.client import customer_page_url


def outcome_subject(order: Order, state: str) -> str:
    """Return the subject line staff see for an order's outcome."""
    name = order.customer_name or order.orderref
    customer = order.powercode_customer_id
    if state == OrderState.COMPLETED:
        return f"New customer: {name} (PowerCode #{customer})"
    if state == OrderState.DUPLICATE:
        return f"Possible duplicate: {name} is already PowerCode #{customer}"
    if customer:
        return f"Needs attention: {name} (PowerCode #{customer})"
    return f"Order {order.orderref} failed: {name}"


def send_outcome_email(order: Order, state: str) -> str:
    """Email staff how the order ended; return the subject sent."""
    subject = outcome_subject(order, state)
    context = {
        "order": order,
        "state": state,
        "contact": order.contact_details(),
        # A completed or duplicate order's earlier failures are resolved as
        # it finishes: they are not problems to report any more.
        "failures": []
        if state in (OrderState.COMPLETED, OrderState.DUPLICATE)
        else list(order.failures.filter(resolved=False)),
        "order_url": order_page_url(order),
        "powercode_url": (
            customer_page_url(settings.PC_URL, order.powercode_customer_id)
            if order.powercode_customer_id
            else ""
        ),
    }
    recipients = ProvisioningSettings.load().recipient_list()
    send_staff_email(subject, "notifications/order_outcome.txt", context, recipients)
    return subject


def order_page_url(order: Order) -> str:
    """The order's page in the back office, or "" when SITE_URL is not set."""
    if not settings.SITE_URL:
        return ""
    path = reverse("admin:orders_order_change", args=[order.pk])
    return settings.SITE_URL.rstrip("/") + path


def send_test_email(remote_addr: str | None) -> None:
    """Tell staff a test webhook arrived."""
    recipients = ProvisioningSettings.load().recipient_list()
    context = {"remote_addr": remote_addr or "unknown"}
    send_staff_email(
        "UAC test webhook received",
        "notifications/test_webhook.txt",
        context,
        recipients,
    )
