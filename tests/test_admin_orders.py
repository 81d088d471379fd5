"""The orders pages: list, search, the readable order page, and retry."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from backoffice.roles import OPERATORS
from orders.admin.orders import readable_result
from orders.models import (
    Order,
    OrderState,
    OrderStep,
    ServicePlanMapping,
    StepStatus,
    WebhookDelivery,
)
from orders.tasks import provision_order
from tests.factories import OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
# The retry queues its task when its own transaction commits, as in production,
# so the page can show the outcome of an eager task only outside a test's
# transaction.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST_URL = "/admin/orders/order/"


@pytest.fixture
def failed_order(upstreams) -> Order:
    """The sample order whose "10 Gbps" plan is not mapped: it fails."""
    order = Order.objects.create(orderref="UIA202511-040103")
    provision_order.delay(order.pk).get()
    return Order.objects.get(pk=order.pk)


def page_url(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def retry_url(order: Order) -> str:
    return reverse("admin:orders_order_retry", args=[order.pk])


def test_list_shows_customer_city_plan_state_and_powercode_link(
    operator_client, failed_order
):
    body = operator_client.get(LIST_URL).content.decode()

    assert "UIA202511-040103" in body
    assert "Mei Chen" in body
    assert "Taylorsville" in body
    assert "10 Gbps" in body
    assert f"customerid={failed_order.powercode_customer_id}" in body
    assert 'class="powercode-link"' in body


@pytest.mark.parametrize("term", ["040102", "Connor", "liam.oconnor@", "SITE-200871"])
def test_search_by_orderref_name_email_and_site_id(admin_client, term):
    OrderFactory(orderref="UIA202511-040101", first_name="Ana", site_id="SITE-1")
    OrderFactory(
        orderref="UIA202511-040102",
        last_name="O'Connor",
        email="liam.oconnor@example.org",
        site_id="SITE-200871",
    )

    response = admin_client.get(LIST_URL, {"q": term})

    orders = list(response.context["cl"].result_list)
    assert [order.orderref for order in orders] == ["UIA202511-040102"]


def test_filter_by_state_and_date(admin_client):
    OrderFactory(state=OrderState.FAILED)
    OrderFactory(state=OrderState.COMPLETED)

    by_state = admin_client.get(LIST_URL, {"state__exact": "failed"})
    today = OrderFactory().received_at
    by_date = admin_client.get(
        LIST_URL,
        {"received_at__year": today.year, "received_at__month": today.month},
    )

    assert [o.state for o in by_state.context["cl"].result_list] == ["failed"]
    assert by_date.context["cl"].result_count == 3


def test_order_page_shows_utopia_data_as_tables_not_one_json_line(
    operator_client, failed_order
):
    body = operator_client.get(page_url(failed_order)).content.decode()

    assert '<table class="uac-data">' in body
    assert '<th scope="row">customer</th>' in body
    assert '<th scope="col">description</th>' in body  # order items as rows
    assert "<td>10 Gbps</td>" in body
    assert '"firstname": "Mei"' not in body


def test_order_page_shows_the_step_journal_with_calls_indented_and_masked(
    operator_client, failed_order, settings
):
    step = failed_order.steps.get(name="fetch_order")
    step.upstream = [
        {"call": "contract lookup", "request": {"apikey": "x"}, "answer": {"a": 1}}
    ]
    step.save()

    response = operator_client.get(page_url(failed_order))

    body = response.content.decode()
    journal = response.context["journal"]
    assert [e.step.name for e in journal][:2] == [
        "fetch_order",
        "find_existing_customer",
    ]
    assert 'data-step="add_services" data-status="failed"' in body
    assert (
        '<pre class="uac-pre">{\n  &quot;apikey&quot;: &quot;********&quot;\n}</pre>'
        in body
    )
    assert "<summary>contract lookup</summary>" in body
    assert settings.UTOPIA_API_KEY not in body


def test_order_page_masks_a_secret_that_reached_the_journal(admin_client, settings):
    order = OrderFactory()
    OrderStep.objects.create(
        order=order,
        name="open_ticket",
        status=StepStatus.FAILED,
        outcome="refused",
        result={"note": f"key {settings.PC_API_KEY}"},
        upstream=[{"call": "x", "request": {}, "answer": settings.PC_API_KEY}],
    )

    body = admin_client.get(page_url(order)).content.decode()

    assert settings.PC_API_KEY not in body
    assert "********" in body


def test_order_page_links_its_failures_and_deliveries(operator_client, failed_order):
    delivery = WebhookDelivery.objects.create(
        method="POST", order=failed_order, orderref=failed_order.orderref
    )
    failure = failed_order.failures.get()

    body = operator_client.get(page_url(failed_order)).content.decode()

    assert reverse("admin:orders_failure_change", args=[failure.pk]) in body
    assert reverse("admin:orders_webhookdelivery_change", args=[delivery.pk]) in body
    assert 'id="retry-order"' in body
    assert 'name="_save"' not in body  # nothing on the page is edited


@committing
def test_retry_button_provisions_again_and_the_page_shows_the_outcome(
    operator_client, failed_order
):
    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )

    response = operator_client.post(retry_url(failed_order), follow=True)

    failed_order.refresh_from_db()
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == page_url(failed_order)
    assert failed_order.state == OrderState.COMPLETED
    assert "Retried UIA202511-040103: it is now completed." in body
    assert 'data-step="add_services" data-status="succeeded"' in body
    entry = LogEntry.objects.get(object_id=str(failed_order.pk))
    assert entry.change_message == "Retried."


@committing
def test_retry_of_an_order_still_failing_says_so(admin_client, failed_order):
    response = admin_client.post(retry_url(failed_order), follow=True)

    assert "it failed again; see its failures." in response.content.decode()
    assert Order.objects.get(pk=failed_order.pk).runs == 2


def test_retry_while_queued_shows_the_order_in_progress(admin_client):
    order = OrderFactory(state=OrderState.FAILED)

    # Without running the on-commit callback the task never starts: a busy queue.
    response = admin_client.post(retry_url(order), follow=True)

    body = response.content.decode()
    assert "a worker is on it. Reload the page to see the outcome." in body
    assert 'id="order-in-progress"' in body


def test_retry_of_a_completed_order_does_nothing(admin_client):
    order = OrderFactory(state=OrderState.COMPLETED)

    response = admin_client.post(retry_url(order), follow=True)

    assert "is completed: nothing to retry." in response.content.decode()
    assert Order.objects.get(pk=order.pk).state == OrderState.COMPLETED
    assert not LogEntry.objects.exists()


@committing
def test_retry_with_the_queue_down_warns_and_keeps_the_order_waiting(
    admin_client, monkeypatch
):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("orders.tasks.provision_order.delay", refuse)
    order = OrderFactory(state=OrderState.FAILED)

    response = admin_client.post(retry_url(order), follow=True)

    assert response.status_code == 200
    assert "the work queue is unavailable" in response.content.decode()
    assert order.failures.filter(kind="queue_unavailable", resolved=False).exists()
    assert LogEntry.objects.get().change_message.startswith("Retry not queued")


@committing
def test_a_bulk_retry_tries_a_queue_found_down_only_once(admin_client, monkeypatch):
    tries = []

    def refuse(*args, **kwargs):
        tries.append(args)
        raise OperationalError("connection refused")

    monkeypatch.setattr("orders.tasks.provision_order.delay", refuse)
    orders = [OrderFactory(state=OrderState.FAILED) for _ in range(3)]

    admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "retry_orders", "_selected_action": [o.pk for o in orders]},
    )

    assert len(tries) == 1
    for order in orders:
        order.refresh_from_db()
        assert order.state == OrderState.RECEIVED  # waiting for the sweep
        assert order.failures.filter(kind="queue_unavailable", resolved=False).exists()


def test_retry_needs_post_and_change_permission(admin_client):
    order = OrderFactory(state=OrderState.FAILED)
    viewer = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client = Client()
    client.force_login(viewer)

    assert admin_client.get(retry_url(order)).status_code == 405
    assert client.post(retry_url(order)).status_code == 403
    assert 'id="retry-order"' not in client.get(page_url(order)).content.decode()
    assert Order.objects.get(pk=order.pk).state == OrderState.FAILED


def test_retry_needs_the_csrf_token(failed_order):
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffUserFactory(role=OPERATORS))

    response = client.post(retry_url(failed_order))

    assert response.status_code == 403
    assert Order.objects.get(pk=failed_order.pk).runs == 1


@committing
def test_list_action_retries_and_logs_each_order(operator_client, failed_order):
    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )

    response = operator_client.post(
        LIST_URL,
        {"action": "retry_orders", "_selected_action": [failed_order.pk]},
        follow=True,
    )

    body = response.content.decode()
    assert "Queued 1 of 1 orders." in body
    assert "it is now completed." in body
    assert LogEntry.objects.get(object_id=str(failed_order.pk)).change_message == (
        "Retried."
    )


def delivery_url(delivery: WebhookDelivery) -> str:
    return reverse("admin:orders_webhookdelivery_change", args=[delivery.pk])


def test_delivery_list_shows_sender_msg_orderref_and_why_refused(operator_client):
    order = OrderFactory()
    WebhookDelivery.objects.create(
        method="POST",
        remote_addr="203.0.113.9",
        msg="new_order",
        orderref=order.orderref,
        order=order,
        outcome=WebhookDelivery.Outcome.ACCEPTED,
    )
    WebhookDelivery.objects.create(
        method="POST",
        outcome=WebhookDelivery.Outcome.REJECTED,
        reason="The body is not JSON.",
    )

    body = operator_client.get("/admin/orders/webhookdelivery/").content.decode()

    assert "203.0.113.9" in body
    assert "new_order" in body
    assert reverse("admin:orders_order_change", args=[order.pk]) in body
    assert "Accepted: order stored and queued" in body
    assert "The body is not JSON." in body


def test_delivery_page_shows_the_body_indented_and_headers_masked(
    operator_client, settings
):
    delivery = WebhookDelivery.objects.create(
        method="POST",
        body='{"msg": "new_order", "orderref": "UIA202511-040101"}',
        headers={"X-Webhook-Token": settings.WEBHOOK_SECRET, "User-Agent": "Utopia"},
    )

    response = operator_client.get(delivery_url(delivery))

    body = response.content.decode()
    assert response.status_code == 200
    assert "{\n  &quot;msg&quot;: &quot;new_order&quot;," in body
    assert '<th scope="row">User-Agent</th><td>Utopia</td>' in body
    assert settings.WEBHOOK_SECRET not in body
    assert 'name="_save"' not in body


def test_delivery_page_shows_a_body_that_is_not_json_as_it_came(operator_client):
    delivery = WebhookDelivery.objects.create(method="POST", body="orderref=<b>1</b>")

    body = operator_client.get(delivery_url(delivery)).content.decode()

    assert '<pre class="uac-pre">orderref=&lt;b&gt;1&lt;/b&gt;</pre>' in body


def test_a_post_to_the_order_page_writes_nothing(admin_client, failed_order):
    Order.objects.filter(pk=failed_order.pk).update(powercode_customer_id="9999")

    response = admin_client.post(page_url(failed_order), {"_save": "Save"})

    failed_order.refresh_from_db()
    assert response.status_code == 405
    assert failed_order.powercode_customer_id == "9999"


def test_the_journal_names_calls_for_staff_not_by_key():
    result = {
        "run": 2,
        "added": ["fee:1", "plan:10 gbps"],
        "labels": {
            "fee:1": "adding Bond fee (service 3)",
            "plan:10 gbps": "adding 250 Mbps (chosen by staff)",
        },
        "ticket_id": "7",
    }

    assert readable_result(result) == {
        "added": ["Bond fee (service 3)", "250 Mbps (chosen by staff)"],
        "ticket_id": "7",
    }


def test_the_order_page_links_its_utopia_lookup(operator_client, failed_order):
    body = operator_client.get(page_url(failed_order)).content.decode()

    assert f'?orderref={failed_order.orderref}" id="order-utopia-lookup"' in body
