"""Requeueing orders: a broker that is down loses no order and stops no loop."""

from __future__ import annotations

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from orders.models import Order, OrderState
from orders.queue import stalled_orders
from tests.test_commands import run

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def broker_down(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("orders.tasks.provision_order.delay", refuse)


def failed_orders(*orderrefs: str) -> list[Order]:
    return [
        Order.objects.create(orderref=r, state=OrderState.FAILED) for r in orderrefs
    ]


def test_retry_with_the_broker_down_reports_each_order_and_keeps_it_visible(
    broker_down,
):
    orders = failed_orders("UIA202511-040101", "UIA202511-040102")
    for order in orders:
        order.failures.create(kind="ticket_failed", message="x")

    output = run("retry_failures")

    lines = output.splitlines()
    assert lines[-1] == "Queued 0 of 2 orders with failures."
    assert sum(line.startswith("Not queued UIA") for line in lines) == 2
    for order in orders:
        order.refresh_from_db()
        assert order.state == OrderState.RECEIVED
        assert order.failures.get(kind="queue_unavailable").resolved is False
    assert set(stalled_orders()) == set(orders)  # queued again on the next sweep


def test_admin_retry_with_the_broker_down_says_so(admin_client, broker_down):
    [order] = failed_orders("UIA202511-040101")

    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "retry_orders", "_selected_action": [order.pk]},
        follow=True,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Queued 0 of 1 orders. 1 not queued" in body
    assert order.failures.filter(kind="queue_unavailable").exists()


def test_replay_to_the_workers_with_the_broker_down_fails_loudly(broker_down):
    from django.core.management import CommandError

    failed_orders("UIA202511-040101")

    with pytest.raises(CommandError, match="work queue is unavailable"):
        run("replay_order", "UIA202511-040101", "--queue")


def test_not_queued_record_is_closed_when_a_worker_took_the_order_anyway():
    from orders.queue import record_not_queued

    waiting = Order.objects.create(orderref="UIA202511-040101")
    taken = Order.objects.create(orderref="UIA202511-040102", state="processing")

    record_not_queued(waiting, "Not queued.")
    record_not_queued(taken, "Not queued.")

    assert waiting.failures.get().resolved is False
    assert taken.failures.get().resolved is True
