"""The pipeline resumes where it stopped and never creates a customer twice."""

from __future__ import annotations

import json
import smtplib

import pytest
from django.conf import settings

from orders import pipeline
from orders.failures import resolve_failure
from orders.models import Failure, Order, OrderState, OrderStep, ServicePlanMapping
from orders.queue import requeue_order
from orders.tasks import provision_order
from powercode.client import PowerCodeClient, PowerCodeError
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

ANA = "UIA202511-040101"  # 1 Gbps, apt 4B
MEI = "UIA202511-040103"  # 10 Gbps, not mapped
DANA = "UIA202511-040105"  # no order items at all


def provision(orderref: str) -> Order:
    order = Order.objects.get_or_create(orderref=orderref)[0]
    provision_order.delay(order.pk).get()
    order.refresh_from_db()
    return order


def retry(order: Order, capture) -> Order:
    with capture(execute=True):
        assert requeue_order(order)
    order.refresh_from_db()
    return order


def test_retry_after_ticket_failure_creates_one_customer(
    upstreams, django_capture_on_commit_callbacks
):
    upstreams.powercode.fail_next("createTicket", api_status=5, message="No category")

    order = provision(ANA)
    assert order.state == OrderState.FAILED
    assert order.failures.get().kind == "ticket_failed"

    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert len(upstreams.powercode_calls("addCustomerService")) == 2
    assert len(upstreams.powercode_calls("createTicket")) == 2
    assert order.ticket_id
    assert order.failures.get().resolved


def test_transient_ticket_fault_is_retried_by_the_task(upstreams):
    upstreams.powercode.fail_next("createTicket", count=2, status=503)

    order = provision(ANA)

    assert order.state == OrderState.COMPLETED
    assert order.runs == 3
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert not order.failures.exists()
    failed_attempts = order.steps.filter(name="open_ticket", status="failed")
    assert failed_attempts.count() == 2
    assert "will retry" in failed_attempts.first().outcome


def test_transient_fault_that_outlasts_the_retries_is_recorded(upstreams, mailoutbox):
    upstreams.powercode.fail_next("createCustomer", count=99, status=503)

    order = provision(ANA)

    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "powercode_creation_failed"
    assert order.runs == settings.PROVISION_MAX_RETRIES + 1
    assert failure.customer_data["email"] == "ana.garcia@example.net"
    [email] = mailoutbox
    assert ANA in email.subject


def test_customer_created_but_answer_lost_is_adopted_not_created_again(
    upstreams, monkeypatch
):
    real_create = PowerCodeClient.create_customer

    def create_then_time_out(self, fields):
        real_create(self, fields)
        monkeypatch.setattr(PowerCodeClient, "create_customer", real_create)
        raise PowerCodeError("read timed out", transient=True)

    monkeypatch.setattr(PowerCodeClient, "create_customer", create_then_time_out)

    order = provision(ANA)

    assert order.state == OrderState.COMPLETED
    assert len(upstreams.powercode.customers) == 3  # two samples and Ana
    assert order.powercode_customer_id in upstreams.powercode.customers
    adopted = order.steps.filter(name="create_customer", status="succeeded").get()
    assert adopted.outcome.startswith("Adopted customer")


def test_address_powercode_cannot_geocode_is_created_without_geocoding(upstreams):
    upstreams.powercode.ungeocodable_streets.add("123 N Main St Apt 4B")

    order = provision(ANA)

    geocode = [
        c["physicalAutomaticallyGeocode"]
        for c in upstreams.powercode_calls("createCustomer")
    ]
    assert order.state == OrderState.COMPLETED
    assert geocode == ["1", "0"]


def test_unmapped_plan_completes_after_mapping_and_retry_without_double_fees(
    upstreams, django_capture_on_commit_callbacks
):
    order = provision(MEI)
    assert order.state == OrderState.FAILED

    ServicePlanMapping.objects.create(
        utopia_product="10 gbps", powercode_service_id="9"
    )
    order = retry(order, django_capture_on_commit_callbacks)

    added = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert order.state == OrderState.COMPLETED
    assert added == ["3", "9"]
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert len(upstreams.powercode_calls("createTicket")) == 1
    assert order.failures.get().resolved


def test_order_without_products_completes_once_staff_resolve_it(
    upstreams, django_capture_on_commit_callbacks, admin_user
):
    order = provision(DANA)
    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "unmapped_service_plan"
    assert "names no product" in failure.message

    resolve_failure(failure, user=admin_user, note="Billed 1 Gbps by hand")
    order = retry(order, django_capture_on_commit_callbacks)

    added = [c["serviceID"] for c in upstreams.powercode_calls("addCustomerService")]
    assert order.state == OrderState.COMPLETED
    assert added == ["3"]
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_second_task_for_a_claimed_order_does_nothing(upstreams):
    order = OrderFactory(orderref=ANA)
    assert pipeline.claim_order(order.pk, "first-task") is not None

    state = pipeline.provision_order(
        order.pk, task_id="second-task", final_attempt=True
    )

    assert state is None
    assert upstreams.powercode.calls == []


def test_redelivered_task_resumes_its_own_claim(upstreams):
    order = OrderFactory(orderref=ANA)
    pipeline.claim_order(order.pk, "same-task")

    state = pipeline.provision_order(order.pk, task_id="same-task", final_attempt=True)

    assert state == OrderState.COMPLETED


def test_finished_order_is_not_run_again(upstreams):
    order = provision(ANA)

    provision_order.delay(order.pk)

    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert not requeue_order(order)


def test_email_that_cannot_be_sent_is_retried_then_recorded(
    upstreams, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", smtp_down)
    order = provision(ANA)

    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "notification_failed"
    notify_attempts = order.steps.filter(name="notify_staff").count()
    assert notify_attempts == settings.PROVISION_MAX_RETRIES + 1

    monkeypatch.undo()
    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.COMPLETED
    assert len(mailoutbox) == 1
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_utopia_outage_is_retried(upstreams):
    upstreams.utopia.fail_next(2, status=503)

    order = provision(ANA)

    assert order.state == OrderState.COMPLETED


def test_bad_utopia_key_is_a_failure_staff_hear_about(upstreams, mailoutbox):
    upstreams.utopia.answer_error_next("Invalid API key")

    order = provision(ANA)

    assert order.failures.get().kind == "utopia_api_error"
    assert len(mailoutbox) == 1


def test_every_step_is_journaled_in_order(upstreams):
    order = provision(ANA)

    names = list(order.steps.values_list("name", flat=True))
    assert names == [
        "fetch_order",
        "find_existing_customer",
        "create_customer",
        "add_services",
        "open_ticket",
        "tag_customer",
        "notify_staff",
    ]
    assert set(order.steps.values_list("status", flat=True)) == {"succeeded"}
    created = order.steps.get(name="create_customer").result
    assert created["powercode_customer_id"] == order.powercode_customer_id


def test_no_secret_reaches_the_journal_failures_or_email(upstreams, mailoutbox):
    upstreams.powercode.fail_next("createTicket", api_status=5, message="bad")
    order = provision(ANA)

    journal = json.dumps(
        list(OrderStep.objects.values("upstream", "outcome", "result"))
    )
    failures = json.dumps(list(Failure.objects.values("message", "customer_data")))
    emails = "".join(m.subject + m.body for m in mailoutbox)
    for secret in (
        settings.PC_API_KEY,
        settings.UTOPIA_API_KEY,
        settings.CUSTOMER_PORTAL_PASSWORD,
        settings.WEBHOOK_SECRET,
    ):
        for text in (journal, failures, emails):
            assert secret not in text
    assert order.state == OrderState.FAILED
    assert "********" in journal  # the portal password was there, masked


def test_customer_record_carries_unit_state_code_phone_and_notes(upstreams):
    provision(ANA)

    [fields] = upstreams.powercode_calls("createCustomer")
    assert fields["physicalStreet"] == "123 N Main St Apt 4B"
    assert fields["physicalState"] == "UT"
    assert fields["extAccountID"] == "SITE-104233"
    assert json.loads(fields["phone"]) == [{"Type": "Home", "Number": "801-555-0142"}]
    assert fields["customerNotes"].splitlines() == [
        f"Order# {ANA}",
        "Utopia SiteID: SITE-104233",
        "Agreed to Service Provider Terms: 2025-11-12 10:31:00",
    ]
    assert fields["customerPortalUsername"] == "ana.garcia@example.net"


def test_a_defect_in_a_step_is_recorded_and_does_not_leave_the_order_processing(
    upstreams, monkeypatch, mailoutbox
):
    def broken(order, journal):
        raise KeyError("customer")

    monkeypatch.setattr(
        pipeline,
        "PREREQUISITE_STEPS",
        (
            pipeline.PREREQUISITE_STEPS[0],
            pipeline.Step(
                "find_existing_customer", broken, "powercode_creation_failed"
            ),
            pipeline.PREREQUISITE_STEPS[2],
        ),
    )

    order = provision(ANA)

    assert order.state == OrderState.FAILED
    assert order.failures.get().kind == "internal_error"
    assert "KeyError" in order.failures.get().message
    step = order.steps.get(name="find_existing_customer")
    assert step.status == "failed"
    assert len(mailoutbox) == 1


def test_order_ends_failed_even_when_its_failure_cannot_be_recorded(
    upstreams, monkeypatch
):
    def broken(order, journal):
        raise KeyError("customer")

    def database_refuses(*args, **kwargs):
        raise ValueError("refused")

    steps = list(pipeline.PREREQUISITE_STEPS)
    steps[1] = pipeline.Step("find_existing_customer", broken, "x")
    monkeypatch.setattr(pipeline, "PREREQUISITE_STEPS", tuple(steps))
    monkeypatch.setattr(pipeline, "record_failure", database_refuses)

    order = provision(ANA)

    assert order.state == OrderState.FAILED


@pytest.mark.parametrize("retries", range(8))
def test_retry_pause_doubles_and_never_drops_below_half(retries, settings):
    from orders.tasks import retry_delay

    settings.PROVISION_RETRY_BACKOFF = 30
    settings.PROVISION_RETRY_BACKOFF_MAX = 900
    ceiling = min(900, 30 * 2**retries)

    pauses = [retry_delay(retries) for _ in range(200)]

    assert all(ceiling / 2 <= pause <= ceiling for pause in pauses)
    assert len(set(pauses)) > 1  # jittered, so workers do not retry in step


def test_failures_of_an_order_that_ends_duplicate_are_resolved(
    upstreams, django_capture_on_commit_callbacks
):
    upstreams.powercode.fail_next("readCustomer", count=99, status=503)
    order = provision(ANA)
    assert order.failures.get().kind == "powercode_creation_failed"
    upstreams.powercode.recover()
    upstreams.powercode.customers["1500"] = {
        "CustomerID": "1500",
        "CompanyName": "Ana García-López",
        "ExtAccountID": "SITE-104233",
    }

    order = retry(order, django_capture_on_commit_callbacks)

    assert order.state == OrderState.DUPLICATE
    assert order.failures.get().resolved


def test_an_answer_for_another_order_creates_nothing(upstreams, monkeypatch):
    real_handle = upstreams.utopia.handle

    def answer_for_mei(path: str, body: bytes):
        if path.endswith("contractlookup"):
            body = json.dumps({**json.loads(body), "orderref": MEI}).encode()
        return real_handle(path, body)

    monkeypatch.setattr(upstreams.utopia, "handle", answer_for_mei)
    order = provision(ANA)

    failure = order.failures.get()
    assert order.state == OrderState.FAILED
    assert failure.kind == "utopia_api_error"
    assert f"answered with order {MEI}" in failure.message
    assert upstreams.powercode.calls == []
