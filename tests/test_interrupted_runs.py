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

CREATION = "powercode_creation_failed"


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
    assert order.failures.get().kind == "unconfirmed_call"
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_worker_killed_while_adding_a_service_bills_it_once(upstreams, monkeypatch):
    order = killed_run(monkeypatch, "add_customer_service")

    assert billed(upstreams) == ["1", "3"]  # the plan once, then the fee
    assert order.state == OrderState.FAILED
    failure = order.failures.get()
    assert failure.kind == "unconfirmed_call"
    assert "adding 1 Gbps (service 1)" in failure.message


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

    doubt = order.failures.get(kind="unconfirmed_call")
    assert order.state == OrderState.FAILED
    assert "did not confirm creating the customer" in doubt.message
    assert "shows none for site" in order.failures.get(kind=CREATION).message
    assert len(sent) == 1

    monkeypatch.undo()
    resolve_failure(order.failures.get(kind=CREATION), user=None)
    assert reopen_order(order)
    order = run(order, task_id="task-2")
    assert order.state == OrderState.FAILED  # the other failure is not the doubt
    assert upstreams.powercode_calls("createCustomer") == []

    resolve_failure(doubt, user=None, note="Not in PowerCode")
    assert reopen_order(order)
    order = run(order, task_id="task-3")

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


def test_doubt_is_told_to_staff_at_once_not_on_the_last_try(upstreams, monkeypatch):
    lose_answer_once(monkeypatch, "add_customer_service")
    order = Order.objects.create(orderref=ANA)

    with pytest.raises(RetryLater):
        run(order, final_attempt=False)

    doubt = order.failures.get()
    assert doubt.kind == "unconfirmed_call"
    assert not doubt.resolved
    assert "adding 1 Gbps" in doubt.message


def test_worker_killed_between_looking_and_creating_looks_again(upstreams, monkeypatch):
    real_start = pipeline.start_step

    def die_before_creating(order, name):
        if name == "create_customer":
            monkeypatch.setattr(pipeline, "start_step", real_start)
            raise WorkerKilled
        return real_start(order, name)

    monkeypatch.setattr(pipeline, "start_step", die_before_creating)
    first = Order.objects.create(orderref=ANA)
    second = Order.objects.create(orderref=utopia_order(upstreams, "UIA202511-040199"))
    with pytest.raises(WorkerKilled):
        run(first)
    second = run(second, task_id="task-2")

    first = run(first)  # redelivered: its search is from a run that died

    assert second.state == OrderState.COMPLETED
    assert first.state == OrderState.DUPLICATE
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_order_that_gave_up_waiting_is_queued_when_the_doubt_clears(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    sent, finish_late = slow_create(monkeypatch)
    first = Order.objects.create(orderref=ANA)
    second = Order.objects.create(orderref=utopia_order(upstreams, "UIA202511-040199"))
    with pytest.raises(RetryLater):
        run(first, final_attempt=False)
    second = run(second, task_id="task-2")  # its last try: still waiting
    assert second.state == OrderState.FAILED
    finish_late()

    with django_capture_on_commit_callbacks(execute=True):
        first = run(first)

    second.refresh_from_db()
    assert first.state == OrderState.COMPLETED
    assert second.state == OrderState.DUPLICATE
    assert len(sent) == 1


def test_plan_billed_before_its_mapping_changed_is_not_billed_again(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    from orders.models import ServicePlanMapping
    from tests.test_pipeline import retry

    real_add = PowerCodeClient.add_customer_service

    def refuse_the_fee(self, customer_id, service_id, **kwargs):
        if service_id == "3":
            monkeypatch.setattr(PowerCodeClient, "add_customer_service", real_add)
            raise PowerCodeError("refused", transient=False, may_have_acted=False)
        return real_add(self, customer_id, service_id, **kwargs)

    monkeypatch.setattr(PowerCodeClient, "add_customer_service", refuse_the_fee)
    order = run(Order.objects.create(orderref=ANA))
    assert billed(upstreams) == ["1"]
    ServicePlanMapping.objects.filter(utopia_product="1 Gbps").update(
        powercode_service_id="9"
    )

    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.COMPLETED
    assert billed(upstreams) == ["1", "3"]


def test_doubt_settled_earlier_is_not_listed_with_a_new_one(upstreams, monkeypatch):
    lose_answer_once(monkeypatch, "create_customer")
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(RetryLater):
        run(order, final_attempt=False)  # the customer's answer is lost
    lose_answer_once(monkeypatch, "create_ticket")

    order = run(order)  # adopts the customer; then the ticket's answer is lost

    doubt = order.failures.get(kind="unconfirmed_call")
    assert "did not confirm opening the ticket." in doubt.message
    assert "creating the customer" not in doubt.message
