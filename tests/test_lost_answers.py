"""Upstream surprises found by attacking the pipeline: nothing billed twice."""

from __future__ import annotations

import pytest

from orders.errors import RetryLater
from orders.failures import resolve_failure
from orders.models import Order, OrderState
from powercode.client import PowerCodeClient, PowerCodeError
from tests.test_pipeline import ANA, provision, retry

pytestmark = pytest.mark.django_db


def lose_answer_once(monkeypatch, method_name: str) -> None:
    """The next call reaches PowerCode and acts, but its answer is lost."""
    real = getattr(PowerCodeClient, method_name)

    def act_then_time_out(self, *args, **kwargs):
        real(self, *args, **kwargs)
        monkeypatch.setattr(PowerCodeClient, method_name, real)
        raise PowerCodeError("read timed out", transient=True)

    monkeypatch.setattr(PowerCodeClient, method_name, act_then_time_out)


def billed(upstreams) -> list[str]:
    """The service ids PowerCode holds for the one customer created."""
    [customer_id] = [c for c in upstreams.powercode.customers if c >= "2000"]
    return [s["serviceID"] for s in upstreams.powercode.services.get(customer_id, [])]


def test_service_whose_answer_was_lost_is_not_billed_again(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    lose_answer_once(monkeypatch, "add_customer_service")

    order = provision(ANA)

    failure = order.failures.get()
    assert billed(upstreams) == ["1", "3"]
    assert order.state == OrderState.FAILED
    assert failure.kind == "unconfirmed_call"
    assert "did not confirm adding 1 Gbps (service 1)" in failure.message

    resolve_failure(failure, user=None, note="Checked: 1 Gbps is on the account")
    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.COMPLETED
    assert billed(upstreams) == ["1", "3"]


def test_retry_before_staff_checked_still_bills_nothing_twice(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    lose_answer_once(monkeypatch, "add_customer_service")
    order = provision(ANA)
    seen = order.failures.get().occurrences

    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.FAILED
    assert order.failures.get().occurrences == seen + 1
    assert billed(upstreams) == ["1", "3"]


def test_ticket_whose_answer_was_lost_is_not_opened_again(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    lose_answer_once(monkeypatch, "create_ticket")

    order = provision(ANA)

    assert order.state == OrderState.FAILED
    assert order.failures.get().kind == "unconfirmed_call"
    assert "did not confirm opening the ticket" in order.failures.get().message
    assert len(upstreams.powercode.tickets) == 1

    resolve_failure(order.failures.get(), user=None, note="Ticket 1 is there")
    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode.tickets) == 1


def test_refused_call_is_retried_because_powercode_did_nothing(upstreams):
    upstreams.powercode.fail_next("addCustomerService", status=503)

    order = provision(ANA)

    assert order.state == OrderState.COMPLETED
    assert billed(upstreams) == ["1", "3"]


def test_customer_found_by_site_id_must_carry_that_site_id(upstreams, monkeypatch):
    robert = upstreams.powercode.customers["1001"]
    monkeypatch.setattr(
        PowerCodeClient, "read_customer", lambda self, **ids: dict(robert)
    )

    order = provision(ANA)

    assert order.state == OrderState.COMPLETED
    assert order.powercode_customer_id != "1001"


def utopia_order(upstreams, orderref: str, **changes) -> str:
    order = upstreams.utopia._orders["UIA202511-040101"]
    changed = {
        **order,
        "orderref": orderref,
        "customer": {**order["customer"], **changes.get("customer", {})},
        "address": {**order["address"], **changes.get("address", {})},
    }
    upstreams.utopia.add_order(changed)
    return orderref


def test_order_without_a_site_id_is_stopped_for_staff(upstreams):
    orderref = utopia_order(upstreams, "UIA202511-050001", address={"siteid": ""})

    order = provision(orderref)

    assert order.state == OrderState.FAILED
    assert "no site id" in order.failures.get().message
    assert upstreams.powercode_calls("createCustomer") == []


@pytest.mark.parametrize(
    "changes",
    [
        {"customer": {"firstname": "Ana\u0000"}},
        {"customer": {"firstname": "Ana\nBcc: x@example.com"}},
        {"customer": {"phone": "8" * 300}},
        {"address": {"apt": 4, "zip": 84041}},
    ],
)
def test_odd_values_from_utopia_still_provision_the_order(upstreams, changes):
    orderref = utopia_order(upstreams, "UIA202511-050002", **changes)

    order = provision(orderref)

    assert order.state == OrderState.COMPLETED, list(
        order.failures.values_list("message", flat=True)
    )
    assert "\u0000" not in str(Order.objects.get(pk=order.pk).utopia_data)


def test_email_subject_is_one_line_whatever_the_name(upstreams, mailoutbox):
    orderref = utopia_order(
        upstreams, "UIA202511-050003", customer={"firstname": "Ana\r\nBcc: x@y.z"}
    )

    provision(orderref)

    [email] = mailoutbox
    assert "\n" not in email.subject
    assert email.bcc == []


def test_utopia_data_is_cleaned_of_what_databases_refuse():
    from orders.utopia_data import clean_utopia_data

    cleaned = clean_utopia_data(
        {"customer": {"lastname": "Garc\ud800ia\u0000", "id": 7}, "n": [None, 1.5]}
    )

    assert cleaned == {
        "customer": {"lastname": "Garc?ia\ufffd", "id": "7"},
        "n": [None, 1.5],
    }


def test_orderitems_that_are_not_a_list_mean_no_product(upstreams):
    orderref = utopia_order(upstreams, "UIA202511-050004")
    upstreams.utopia._orders[orderref]["orderitems"] = 5

    order = provision(orderref)

    assert order.failures.get().kind == "unmapped_service_plan"
    assert order.powercode_customer_id


def test_utopia_answer_nested_absurdly_deep_is_a_utopia_failure(upstreams, monkeypatch):
    from utopia.client import UtopiaClient

    answer = dict(upstreams.utopia._orders[ANA])
    deep: dict = {}
    for _ in range(5000):
        deep = {"x": deep}
    answer["extra"] = deep
    monkeypatch.setattr(UtopiaClient, "contract_lookup", lambda self, ref: answer)

    order = provision(ANA)

    assert order.state == OrderState.FAILED
    assert order.failures.get().kind == "utopia_api_error"


@pytest.mark.parametrize(
    "changes",
    [
        {"address": {"address": {"line": "123 N Main"}}},
        {"address": {"siteid": {"id": 77}}},
        {"customer": {"firstname": ["Ana", "Maria"]}},
    ],
)
def test_fields_sent_as_objects_stop_the_order_for_staff(upstreams, changes):
    orderref = utopia_order(upstreams, "UIA202511-050006", **changes)

    order = provision(orderref)

    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "utopia_api_error"
    assert "not text" in failure.message
    assert upstreams.powercode_calls("createCustomer") == []


def test_service_left_in_doubt_after_staff_checked_another_is_flagged_again(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    from orders.models import AlwaysAddedFee

    lose_answer_once(monkeypatch, "add_customer_service")  # the plan, 1
    order = provision(ANA)
    resolve_failure(order.failures.get(kind="unconfirmed_call"), user=None)
    AlwaysAddedFee.objects.create(name="Install fee", powercode_service_id="7")
    lose_answer_once(monkeypatch, "add_customer_service")  # the new fee, 7

    order = retry(order, django_capture_on_commit_callbacks)

    failure = order.failures.get(kind="unconfirmed_call")
    assert order.state == OrderState.FAILED
    assert not failure.resolved
    assert "adding 1 Gbps (service 1); adding Install fee (service 7)" in (
        failure.message
    )
    assert billed(upstreams) == ["1", "3", "7"]


def test_lost_answer_on_the_last_try_tells_staff_it_may_be_done(upstreams, monkeypatch):
    from orders import pipeline

    lose_answer_once(monkeypatch, "add_customer_service")
    order = Order.objects.create(orderref=ANA)

    pipeline.provision_order(order.pk, task_id="t", final_attempt=True)

    doubt = order.failures.get(kind="unconfirmed_call")
    error = order.failures.get(kind="services_failed")
    step = order.steps.get(name="add_services")
    assert "did not confirm adding 1 Gbps" in doubt.message
    assert "It may have done it" in doubt.message
    assert "PowerCode may have done it" in error.message
    assert step.result["unconfirmed"] == ["plan:1 gbps"]


def test_resolving_another_failure_does_not_clear_a_doubt(
    upstreams, monkeypatch, django_capture_on_commit_callbacks
):
    from orders import pipeline

    lose_answer_once(monkeypatch, "add_customer_service")  # the plan
    order = Order.objects.create(orderref=ANA)
    with pytest.raises(RetryLater):
        pipeline.provision_order(order.pk, task_id="t", final_attempt=False)
    upstreams.powercode.fail_next("addCustomerService", status=503)  # the fee
    pipeline.provision_order(order.pk, task_id="t", final_attempt=True)
    order.refresh_from_db()
    resolve_failure(order.failures.get(kind="services_failed"), user=None)

    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.FAILED
    assert not order.failures.get(kind="unconfirmed_call").resolved
    assert billed(upstreams) == ["1", "3"]


def test_journal_says_which_services_were_added_and_which_left_to_staff(
    upstreams, monkeypatch
):
    lose_answer_once(monkeypatch, "add_customer_service")

    order = provision(ANA)

    last = order.steps.filter(name="add_services").last()
    assert last.outcome.startswith(
        "Added: Bond fee. Not confirmed by PowerCode: 1 Gbps"
    )
