"""Runs cut short (a killed worker, a retry pause): nothing done twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orders import pipeline
from orders.errors import RetryLater
from orders.failures import resolve_failure
from orders.models import Order, OrderState
from orders.queue import reopen_order
from orders.upstream import powercode_client
from powercode.client import PowerCodeClient, PowerCodeError
from tests.test_lost_answers import billed, lose_answer_once, utopia_order
from tests.test_pipeline import ANA

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing below the pipeline gets to clean up."""


def run(order: Order, task_id: str = "task-1", final_attempt: bool = True) -> Order:
    pipeline.provision_order(order.pk, task_id=task_id, final_attempt=final_attempt)
    order.refresh_from_db()
    return order


def kill_after(monkeypatch, method_name: str) -> None:
    """The next call reaches PowerCode and acts; then the worker dies."""
    real = getattr(PowerCodeClient, method_name)

    def act_then_die(self, *args, **kwargs):
        real(self, *args, **kwargs)
        monkeypatch.setattr(PowerCodeClient, method_name, real)
        raise WorkerKilled

    monkeypatch.setattr(PowerCodeClient, method_name, act_then_die)


def killed_run(monkeypatch, method_name: str) -> Order:
    """Run ANA's order until the worker dies in `method_name`; the redelivery."""
    kill_after(monkeypatch, method_name)
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(WorkerKilled):
        run(order)
    assert Order.objects.get(pk=order.pk).state == OrderState.PROCESSING
    return run(order)  # the broker hands the same task out again


def test_worker_killed_after_the_ticket_was_opened_opens_no_second(
    upstreams, monkeypatch
):
    order = killed_run(monkeypatch, "create_ticket")

    assert len(upstreams.powercode.tickets) == 1
    assert order.state == OrderState.FAILED
    assert order.failures.get().kind == "ticket_failed"
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_worker_killed_while_adding_a_service_bills_it_once(upstreams, monkeypatch):
    order = killed_run(monkeypatch, "add_customer_service")

    assert billed(upstreams) == ["1", "3"]  # the plan once, then the fee
    assert order.state == OrderState.FAILED
    failure = order.failures.get()
    assert failure.kind == "services_failed"
    assert "service 1" in failure.message


def test_worker_killed_after_creating_the_customer_adopts_it(upstreams, monkeypatch):
    order = killed_run(monkeypatch, "create_customer")

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert billed(upstreams) == ["1", "3"]


def test_ticket_kept_on_the_order_is_not_opened_again(upstreams, monkeypatch):
    real_save = Order.save

    def die_after_keeping_the_ticket(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        if "ticket_id" in kwargs.get("update_fields", []):
            raise WorkerKilled

    monkeypatch.setattr(Order, "save", die_after_keeping_the_ticket)
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(WorkerKilled):
        run(order)
    monkeypatch.setattr(Order, "save", real_save)

    order = run(order)

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode.tickets) == 1
    reused = order.steps.filter(name="open_ticket", status="succeeded").get()
    assert reused.result["ticket_id"] == order.ticket_id


def test_order_whose_site_another_order_provisioned_meanwhile_is_a_duplicate(
    upstreams,
):
    twin = utopia_order(upstreams, "UIA202511-040199")
    first = Order.objects.create(orderref=ANA)
    second = Order.objects.create(orderref=twin)
    upstreams.powercode.fail_next("createCustomer", status=503)

    with pytest.raises(RetryLater):
        run(first, final_attempt=False)
    second = run(second, task_id="task-2")
    first = run(first)

    assert second.state == OrderState.COMPLETED
    assert first.state == OrderState.DUPLICATE
    assert first.powercode_customer_id == second.powercode_customer_id
    assert len(upstreams.powercode_calls("createCustomer")) == 2  # 503, then one
    assert billed(upstreams) == ["1", "3"]
    assert len(upstreams.powercode.tickets) == 1


def test_customer_a_lost_answer_made_is_found_by_name_when_site_lookup_errs(
    upstreams, monkeypatch
):
    kill_after(monkeypatch, "create_customer")
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(WorkerKilled):
        run(order)
    upstreams.powercode.fail_next(
        "readCustomer", status=200, api_status=99, message="Database connection lost"
    )

    order = run(order)

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    adopted = order.steps.filter(name="create_customer", status="succeeded").get()
    assert adopted.outcome.startswith("Adopted customer")


def slow_create(monkeypatch) -> tuple[list[dict], Callable[[], None]]:
    """createCustomer times out; PowerCode creates the customer only later."""
    sent: list[dict] = []
    real = PowerCodeClient.create_customer

    def time_out(self, fields):
        sent.append(dict(fields))
        raise PowerCodeError("read timed out", transient=True)

    def finish_late() -> None:
        monkeypatch.setattr(PowerCodeClient, "create_customer", real)
        for fields in sent:
            real(powercode_client(), fields)

    monkeypatch.setattr(PowerCodeClient, "create_customer", time_out)
    return sent, finish_late


def test_customer_powercode_creates_late_is_adopted_not_created_twice(
    upstreams, monkeypatch
):
    sent, finish_late = slow_create(monkeypatch)
    order = Order.objects.create(orderref=ANA)

    with pytest.raises(RetryLater):
        run(order, final_attempt=False)  # the answer is lost
    with pytest.raises(RetryLater):
        run(order, final_attempt=False)  # no customer yet: look again later
    finish_late()
    order = run(order)

    assert len(sent) == 1
    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert billed(upstreams) == ["1", "3"]


def test_creation_never_confirmed_is_left_to_staff_then_created(upstreams, monkeypatch):
    sent, _ = slow_create(monkeypatch)
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(RetryLater):
        run(order, final_attempt=False)

    order = run(order)  # the last try: still no customer for the site

    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "powercode_creation_failed"
    assert "did not confirm creating the customer" in failure.message
    assert len(sent) == 1

    monkeypatch.undo()
    resolve_failure(failure, user=None, note="Not in PowerCode")
    assert reopen_order(order)
    order = run(order, task_id="task-2")

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_order_for_a_site_whose_other_order_is_in_doubt_waits_for_it(
    upstreams, monkeypatch
):
    sent, finish_late = slow_create(monkeypatch)
    first = Order.objects.create(orderref=ANA)
    second = Order.objects.create(orderref=utopia_order(upstreams, "UIA202511-040199"))

    with pytest.raises(RetryLater):
        run(first, final_attempt=False)
    with pytest.raises(RetryLater):
        run(second, task_id="task-2", final_attempt=False)
    waiting = second.steps.get(name="create_customer")
    finish_late()
    first = run(first)
    second = run(second, task_id="task-2")

    assert "this order waits" in waiting.outcome
    assert len(sent) == 1
    assert first.state == OrderState.COMPLETED
    assert second.state == OrderState.DUPLICATE
    assert second.powercode_customer_id == first.powercode_customer_id


def test_customer_whose_answer_was_lost_stays_ours_when_a_twin_found_it(
    upstreams, monkeypatch
):
    lose_answer_once(monkeypatch, "create_customer")
    first = Order.objects.create(orderref=ANA)
    second = Order.objects.create(orderref=utopia_order(upstreams, "UIA202511-040199"))

    with pytest.raises(RetryLater):
        run(first, final_attempt=False)
    second = run(second, task_id="task-2")
    first = run(first)

    assert second.state == OrderState.DUPLICATE
    assert first.state == OrderState.COMPLETED
    assert first.powercode_customer_id == second.powercode_customer_id
    assert billed(upstreams) == ["1", "3"]
    assert len(upstreams.powercode.tickets) == 1
