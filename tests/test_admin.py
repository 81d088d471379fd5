"""Django Admin shows orders, journal, failures and deliveries, and no secret."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from orders.models import Order, OrderState, WebhookDelivery
from orders.tasks import provision_order

pytestmark = pytest.mark.django_db

SECRETS = ("PC_API_KEY", "UTOPIA_API_KEY", "CUSTOMER_PORTAL_PASSWORD", "WEBHOOK_SECRET")


@pytest.fixture
def provisioned(upstreams) -> Order:
    order = Order.objects.create(orderref="UIA202511-040103")
    provision_order.delay(order.pk).get()
    return Order.objects.get(pk=order.pk)


def admin_pages(obj_by_model: dict) -> list[str]:
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        obj = obj_by_model.get(model) or model.objects.first()
        if obj is not None:
            urls.append(
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]
                )
            )
    return urls


def test_every_admin_page_opens_and_shows_no_secret(admin_client, provisioned):
    pages = admin_pages({Order: provisioned})

    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for name in SECRETS:
            assert getattr(settings, name) not in body, (url, name)
    assert len(pages) >= 16


def test_order_page_shows_the_journal_and_powercode_link(admin_client, provisioned):
    url = reverse("admin:orders_order_change", args=[provisioned.pk])

    body = admin_client.get(url).content.decode()

    assert "create_customer" in body
    assert f"customerid={provisioned.powercode_customer_id}" in body


def test_retry_action_queues_a_failed_order(
    admin_client, provisioned, django_capture_on_commit_callbacks
):
    from orders.models import ServicePlanMapping

    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:orders_order_changelist"),
            {"action": "retry_orders", "_selected_action": [provisioned.pk]},
            follow=True,
        )

    assert "Queued 1 of 1 orders." in response.content.decode()
    assert Order.objects.get(pk=provisioned.pk).state == OrderState.COMPLETED


def test_staff_resolve_a_failure_and_who_and_when_are_kept(admin_client, provisioned):
    failure = provisioned.failures.get()
    url = reverse("admin:orders_failure_change", args=[failure.pk])

    admin_client.post(
        url,
        {
            "note": "Mapped 10 Gbps",
            "seen_last_seen": failure.last_seen.isoformat(),
            "_resolve": "Resolve with this note",
        },
    )

    failure.refresh_from_db()
    assert failure.resolved
    assert failure.resolved_by.username == "admin"
    assert failure.resolved_at is not None
    assert failure.note == "Mapped 10 Gbps"


def test_orders_and_deliveries_cannot_be_deleted(admin_client, provisioned):
    order_url = reverse("admin:orders_order_changelist")
    delivery = provisioned.deliveries.first() or WebhookDelivery.objects.create(
        method="POST", order=provisioned
    )
    delete_urls = [
        reverse("admin:orders_order_delete", args=[provisioned.pk]),
        reverse("admin:orders_webhookdelivery_delete", args=[delivery.pk]),
    ]

    assert "delete_selected" not in admin_client.get(order_url).content.decode()
    for url in delete_urls:
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=provisioned.pk).exists()
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
