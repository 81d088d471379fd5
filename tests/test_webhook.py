"""The webhook stores every delivery, answers at once, and calls no upstream."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from orders.models import Failure, Order, OrderState, WebhookDelivery
from tests.helpers import post_webhook, webhook_body

pytestmark = pytest.mark.django_db

ORDERREF = "UIA202511-040101"


@pytest.fixture
def queued(monkeypatch):
    """Record what would be sent to the workers instead of running it."""
    sent: list[tuple[int, bool]] = []
    monkeypatch.setattr(
        "orders.tasks.provision_order.delay",
        lambda order_id, refetch=False: sent.append((order_id, refetch)),
    )
    return sent


def test_new_order_is_stored_queued_and_answered(
    client, django_capture_on_commit_callbacks, queued, no_upstream
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, webhook_body(ORDERREF))

    order = Order.objects.get(orderref=ORDERREF)
    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert response.json() == {"status": "accepted", "orderref": ORDERREF}
    assert order.state == OrderState.RECEIVED
    assert queued == [(order.pk, False)]
    assert delivery.order == order
    assert delivery.outcome == "accepted"
    assert json.loads(delivery.body)["orderref"] == ORDERREF


def test_work_is_queued_only_after_commit(client, queued):
    # Without running on-commit callbacks (the test transaction never commits)
    # nothing may reach the queue.
    post_webhook(client, webhook_body(ORDERREF))

    assert Order.objects.filter(orderref=ORDERREF).exists()
    assert queued == []


def test_repeat_delivery_of_a_running_order_starts_nothing(
    client, django_capture_on_commit_callbacks, queued
):
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, webhook_body(ORDERREF))
    Order.objects.filter(orderref=ORDERREF).update(state=OrderState.PROCESSING)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, webhook_body(ORDERREF))

    assert response.status_code == 200
    assert response.json()["status"] == "already received"
    assert len(queued) == 1
    assert Order.objects.count() == 1
    assert WebhookDelivery.objects.filter(outcome="repeated").count() == 1


def test_webhook_runs_a_bounded_number_of_queries(
    client, django_capture_on_commit_callbacks, django_assert_max_num_queries, queued
):
    with (
        django_assert_max_num_queries(8),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post_webhook(client, webhook_body(ORDERREF))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "not a JSON object"),
        ('["a", "list"]', "not a JSON object"),
        (b"\xff\xfe\x00garbage", "not a JSON object"),
        (webhook_body(None), "no usable orderref"),
        (webhook_body(""), "no usable orderref"),
        ('{"msg": "Project New Order", "orderref": 12345}', "no usable orderref"),
        (webhook_body("x' OR 1=1; --"), "no usable orderref"),
        (webhook_body("UIA202511-040101\u0000"), "no usable orderref"),
        ('{"msg": "Project New Order\u0000", "orderref": "A1"}', "not a JSON object"),
        ("[" * 100_000, "not a JSON object"),
        (webhook_body("UIA202511-040101\n"), "no usable orderref"),
        ('{"msg": "Project New Order", "orderref": "' + "9" * 65 + '"}', "orderref"),
    ],
)
def test_malformed_delivery_is_stored_recorded_and_refused(
    client, queued, no_upstream, body, reason
):
    response = post_webhook(client, body)

    delivery = WebhookDelivery.objects.get()
    failure = Failure.objects.get()
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert delivery.outcome == "rejected"
    assert reason in delivery.reason
    assert failure.kind == "invalid_webhook"
    assert failure.orderref == ""
    assert failure.order is None
    assert Order.objects.count() == 0
    assert queued == []


def test_same_malformed_delivery_twice_is_one_failure_counted_twice(client, queued):
    post_webhook(client, "nope")
    post_webhook(client, "nope again")

    failure = Failure.objects.get()
    assert failure.occurrences == 2
    assert WebhookDelivery.objects.count() == 2


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_method_gets_405_and_is_stored(client, method):
    response = getattr(client, method)("/api-callback")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert WebhookDelivery.objects.get().method == method.upper()


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_delivery_without_the_right_token_is_refused(client, queued, token):
    response = post_webhook(client, webhook_body(ORDERREF), token=token)

    assert response.status_code == 401
    assert Order.objects.count() == 0
    assert WebhookDelivery.objects.get().outcome == "rejected"
    assert queued == []


def test_token_may_come_in_the_query_string_and_is_not_stored(client, queued):
    response = client.post(
        f"/api-callback?token={settings.WEBHOOK_SECRET}",
        data=webhook_body(ORDERREF),
        content_type="application/json",
    )

    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert settings.WEBHOOK_SECRET not in json.dumps(delivery.headers)


def test_token_header_is_masked_in_the_stored_delivery(client, queued):
    post_webhook(client, webhook_body(ORDERREF))

    headers = WebhookDelivery.objects.get().headers
    assert settings.WEBHOOK_SECRET not in json.dumps(headers)
    assert headers["X-Webhook-Token"] == "********"


def test_other_message_is_stored_and_ignored(client, queued):
    response = post_webhook(client, webhook_body(ORDERREF, msg="Project Cancelled"))

    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert WebhookDelivery.objects.get().outcome == "ignored"
    assert Order.objects.count() == 0


def test_test_message_emails_staff_and_creates_no_order(
    client, django_capture_on_commit_callbacks, mailoutbox, no_upstream
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, webhook_body(None, msg="Test"))

    assert response.status_code == 200
    assert Order.objects.count() == 0
    [email] = mailoutbox
    assert "test webhook" in email.subject.lower()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_answers_503_and_keeps_the_order(client, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("orders.tasks.provision_order.delay", broker_down)
    # Real commits here, so the queue is reached inside the request.
    response = post_webhook(client, webhook_body(ORDERREF))

    order = Order.objects.get(orderref=ORDERREF)
    assert response.status_code == 503
    assert order.state == OrderState.RECEIVED
    assert "queue is unavailable" in WebhookDelivery.objects.get().reason
    assert order.failures.get(resolved=False).kind == "queue_unavailable"


def test_order_a_worker_takes_resolves_its_queue_failure(upstreams):
    from orders.failures import record_failure
    from orders.tasks import provision_order

    order = Order.objects.create(orderref="UIA202511-040103")  # ends failed
    record_failure(order, "queue_unavailable", "Stored, but the queue is down.")

    provision_order.delay(order.pk).get()

    queue_failure = order.failures.get(kind="queue_unavailable")
    assert queue_failure.resolved
    assert "worker took the order" in queue_failure.note
    assert not order.failures.get(kind="unmapped_service_plan").resolved


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_test_message_with_the_queue_down_says_no_email_was_sent(client, monkeypatch):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("orders.tasks.send_test_webhook_email.delay", broker_down)
    response = post_webhook(client, webhook_body(None, msg="Test"))

    assert response.status_code == 503
    assert "no test email was sent" in WebhookDelivery.objects.get().reason


def test_address_with_a_trailing_slash_is_the_same_webhook(
    client, django_capture_on_commit_callbacks, queued
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api-callback/",
            data=webhook_body(ORDERREF),
            content_type="application/json",
            headers={"X-Webhook-Token": settings.WEBHOOK_SECRET},
        )

    assert response.status_code == 200
    assert len(queued) == 1


def test_redelivery_requeues_an_order_still_waiting(
    client, django_capture_on_commit_callbacks, queued
):
    Order.objects.create(orderref=ORDERREF)

    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(client, webhook_body(ORDERREF))

    assert len(queued) == 1


@pytest.mark.parametrize(
    ("remote", "forwarded", "stored"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "10.0.0.1, 203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),
    ],
)
def test_sender_address_comes_from_a_trusted_proxy_only(
    client, queued, remote, forwarded, stored
):
    client.post(
        "/api-callback",
        data=webhook_body(ORDERREF),
        content_type="application/json",
        headers={"X-Webhook-Token": settings.WEBHOOK_SECRET},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )

    assert WebhookDelivery.objects.get().remote_addr == stored


def test_body_over_the_upload_limit_is_stored_without_it_and_refused(
    client, queued, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_webhook(client, webhook_body("A" * 2000))

    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 413
    assert delivery.outcome == "rejected"
    assert "too large" in delivery.reason
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field", ["msg", "event", "orderref"])
def test_lone_surrogate_escape_is_stored_not_a_server_error(client, queued, field):
    body = {"msg": "Project New Order", "orderref": "UIA1"}
    body[field] = "\ud800"

    response = post_webhook(client, json.dumps(body))

    delivery = WebhookDelivery.objects.get()
    assert response.status_code < 500
    assert delivery.outcome  # stored and decided, not left half-written
    assert "\ud800" not in delivery.body + delivery.msg + delivery.orderref


def test_secret_inside_the_body_is_masked_in_the_stored_delivery(client, queued):
    body = webhook_body(ORDERREF)[:-1] + f', "cb": "?token={settings.WEBHOOK_SECRET}"}}'

    post_webhook(client, body)

    assert settings.WEBHOOK_SECRET not in WebhookDelivery.objects.get().body
