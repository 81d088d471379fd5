"""The management commands staff and operators run."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.core.management import CommandError, call_command
from django.utils import timezone

from orders.models import Order, OrderState, ServicePlanMapping, WebhookDelivery

pytestmark = pytest.mark.django_db

ANA = "UIA202511-040101"
MEI = "UIA202511-040103"


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_replay_order_provisions_an_order_no_webhook_brought(upstreams):
    output = run("replay_order", ANA)

    order = Order.objects.get(orderref=ANA)
    assert order.state == OrderState.COMPLETED
    assert output.startswith(f"Replayed {ANA}: completed, PowerCode #")


def test_replay_order_fetches_again_and_resumes_a_failed_order(upstreams):
    with pytest.raises(CommandError, match=f"Replayed {MEI}: failed, PowerCode #"):
        run("replay_order", MEI)
    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )

    output = run("replay_order", MEI)

    assert "completed" in output
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert len(upstreams.utopia.calls) == 1 + 2  # a look before storing it, 2 runs


def test_replay_order_refuses_a_completed_order(upstreams):
    run("replay_order", ANA)

    with pytest.raises(CommandError, match="completed"):
        run("replay_order", ANA)


def test_replay_order_can_hand_the_order_to_the_workers(
    upstreams, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("replay_order", ANA, "--queue")

    assert output == f"Queued {ANA}.\n"
    assert Order.objects.get(orderref=ANA).state == OrderState.COMPLETED


def test_retry_failures_queues_failed_orders_of_a_kind(
    upstreams, django_capture_on_commit_callbacks
):
    from tests.test_pipeline import provision

    provision(MEI)
    provision("UIA202511-049999")
    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = run("retry_failures", "--kind", "unmapped_service_plan")

    assert output.splitlines()[-1] == "Queued 1 of 1 orders with failures."
    assert Order.objects.get(orderref=MEI).state == OrderState.COMPLETED
    assert Order.objects.get(orderref="UIA202511-049999").state == OrderState.FAILED


def test_lookup_order_prints_what_utopia_says(upstreams):
    assert '"firstname": "Ana"' in run("lookup_order", ANA)

    with pytest.raises(CommandError, match="No valid records"):
        run("lookup_order", "UIA202511-049999")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_test_webhook_reaches_the_running_service(live_server, mailoutbox):
    with responses.RequestsMock() as mock:
        mock.add_passthru(live_server.url)
        output = run("send_test_webhook", "--url", f"{live_server.url}/api-callback")

    assert "HTTP 200" in output
    assert WebhookDelivery.objects.get().outcome == "test"
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_test_webhook_fails_loudly_when_refused(live_server):
    with pytest.raises(CommandError, match="did not accept"):
        run("send_test_webhook", "--url", f"{live_server.url}/no-such-hook")


def test_send_test_webhook_fails_loudly_when_nothing_listens():
    with pytest.raises(CommandError, match="Could not reach"):
        run("send_test_webhook", "--url", "http://127.0.0.1:9/api-callback")


def test_replay_order_reports_an_outage_after_one_try(upstreams):
    Order.objects.create(orderref=ANA)
    upstreams.utopia.fail_next(count=9, status=503)

    with pytest.raises(CommandError, match=f"Replayed {ANA}: failed, utopia_api"):
        run("replay_order", ANA)

    assert len(upstreams.utopia.calls) == 1


def test_replay_order_of_an_orderref_utopia_does_not_know_stores_nothing(upstreams):
    with pytest.raises(CommandError, match="not stored: Utopia answered No valid"):
        run("replay_order", "UIA202511-049998")

    assert not Order.objects.exists()


def test_requeue_stalled_queues_orders_left_waiting_or_abandoned(
    upstreams, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(hours=2)
    waiting = Order.objects.create(orderref=ANA)
    abandoned = Order.objects.create(orderref=MEI, state=OrderState.PROCESSING)
    fresh = Order.objects.create(orderref="UIA202511-040104")
    Order.objects.filter(pk__in=[waiting.pk, abandoned.pk]).update(updated_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        output = run("requeue_stalled")

    assert output.splitlines()[-1] == "Queued 2 of 2 stalled orders."
    assert Order.objects.get(pk=waiting.pk).state == OrderState.COMPLETED
    assert Order.objects.get(pk=abandoned.pk).state == OrderState.FAILED  # unmapped
    assert Order.objects.get(pk=fresh.pk).state == OrderState.RECEIVED
