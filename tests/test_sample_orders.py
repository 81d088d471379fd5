"""Every sample order, delivered as a webhook, reaches its listed outcome."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from orders.models import Order, ServicePlanMapping
from tests.conftest import SAMPLE_FILE
from tests.helpers import post_webhook, webhook_body

EXPECTED = json.loads(SAMPLE_FILE.read_text())["expected"]

pytestmark = pytest.mark.django_db


def deliver(client, capture, orderref: str):
    with capture(execute=True):
        response = post_webhook(client, webhook_body(orderref))
    assert response.status_code == 200, response.content
    return Order.objects.get(orderref=orderref)


@pytest.mark.parametrize("orderref", sorted(EXPECTED))
def test_sample_order_reaches_its_listed_outcome(
    client, django_capture_on_commit_callbacks, upstreams, orderref
):
    expected = EXPECTED[orderref]

    order = deliver(client, django_capture_on_commit_callbacks, orderref)

    assert order.state == expected["state"]
    kinds = set(order.failures.values_list("kind", flat=True))
    assert kinds == ({expected["failure"]} if "failure" in expected else set())
    created = upstreams.powercode_calls("createCustomer")
    if expected["state"] == "duplicate":
        assert order.powercode_customer_id == expected["powercode_customer"]
        assert created == []
    if "physicalState" in expected:
        assert [c["physicalState"] for c in created] == [expected["physicalState"]]
    if "street_contains" in expected:
        assert expected["street_contains"] in created[0]["physicalStreet"]
    if "service" in expected:
        plan = ServicePlanMapping.objects.get(utopia_product=expected["service"])
        added = [
            c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")
        ]
        assert plan.powercode_service_id in added


def test_unknown_order_is_recorded_without_emailing_staff(
    client, django_capture_on_commit_callbacks, upstreams
):
    order = deliver(client, django_capture_on_commit_callbacks, "UIA202511-049999")

    message = order.failures.get().message
    assert message.startswith("No valid records found for this ISP: Utopia knows")
    assert mail.outbox == []


def test_completed_order_emails_staff_with_customer_and_link(
    client, django_capture_on_commit_callbacks, upstreams, settings
):
    settings.SITE_URL = "https://uac.example.com/"
    order = deliver(client, django_capture_on_commit_callbacks, "UIA202511-040101")

    [email] = mail.outbox
    assert order.customer_name in email.subject
    assert f"#{order.powercode_customer_id}" in email.subject
    assert f"customerid={order.powercode_customer_id}" in email.body
    assert f"#{order.ticket_id}" in email.body
    assert "1 Gbps" in email.body
    assert "ana.garcia@example.net" in email.body
    assert (
        f"https://uac.example.com/admin/orders/order/{order.pk}/change/" in email.body
    )


def test_unmapped_plan_creates_customer_adds_fees_and_bills_no_plan(
    client, django_capture_on_commit_callbacks, upstreams
):
    order = deliver(client, django_capture_on_commit_callbacks, "UIA202511-040103")

    added = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    mapped = set(
        ServicePlanMapping.objects.values_list("powercode_service_id", flat=True)
    )
    assert order.powercode_customer_id
    assert added == ["3"]  # the bond fee only
    assert not mapped & set(added)
    assert order.ticket_id
    assert "10 Gbps" in order.failures.get().message
    [email] = mail.outbox
    assert "Needs attention" in email.subject
