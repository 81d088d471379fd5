"""The failures pages: open ones first, counts, resolve with a note, retry, delete."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.admin.failures import FailureAdmin
from orders.failure_stats import failure_stats
from orders.failures import record_failure, recur, resolve_failure
from orders.models import (
    Failure,
    FailureKind,
    Order,
    OrderState,
    ServicePlanMapping,
    WebhookDelivery,
)
from orders.tasks import provision_order
from tests.factories import OrderFactory, StaffUserFactory

pytestmark = pytest.mark.django_db
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST_URL = "/admin/orders/failure/"


def failure_of(order: Order | None = None, **fields: object) -> Failure:
    defaults = {"kind": FailureKind.TICKET_FAILED, "message": "PowerCode said no"}
    order = order or OrderFactory(state=OrderState.FAILED)
    return Failure.objects.create(
        order=order, orderref=order.orderref, **{**defaults, **fields}
    )


def page_url(failure: Failure) -> str:
    return reverse("admin:orders_failure_change", args=[failure.pk])


def resolve_form(failure: Failure, note: str) -> dict[str, str]:
    return {
        "note": note,
        "seen_last_seen": failure.last_seen.isoformat(),
        "_resolve": "Resolve with this note",
    }


def test_list_shows_open_failures_only_by_default(operator_client):
    open_failure = failure_of()
    failure_of(resolved=True)

    default = operator_client.get(LIST_URL).context["cl"].result_list
    everything = operator_client.get(LIST_URL, {"status": "all"}).context["cl"]

    assert list(default) == [open_failure]
    assert everything.result_count == 2
    assert everything.result_list[0] == open_failure  # unresolved first


def test_counts_by_kind_and_recurrences_appear_above_the_list(operator_client):
    ticket = failure_of(occurrences=3)
    failure_of(kind=FailureKind.TAGGING_FAILED, resolved=True)
    failure_of(order=ticket.order, kind=FailureKind.TAGGING_FAILED)

    body = operator_client.get(LIST_URL).content.decode()

    stats = body[body.index('id="failure-stats"') : body.index('id="changelist"')]
    assert '<span data-stat="unresolved">2</span> of' in stats
    assert '<span data-stat="recurrences">2</span> of them again' in stats
    assert 'data-kind="tagging_failed"' in stats
    assert "Tags not added" in stats


def test_failure_stats_counts_by_kind():
    failure_of(occurrences=4)
    failure_of(kind=FailureKind.TAGGING_FAILED, resolved=True)

    stats = failure_stats().as_json()

    assert stats["total"] == 2
    assert stats["unresolved"] == 1
    assert stats["occurrences"] == 5
    assert stats["recurrences"] == 3
    assert stats["by_kind"]["ticket_failed"] == {
        "label": "Ticket not created",
        "total": 1,
        "unresolved": 1,
        "occurrences": 4,
    }
    assert stats["by_kind"]["tagging_failed"]["unresolved"] == 0


def test_resolve_on_the_page_keeps_who_when_and_the_note(operator_client, operator):
    failure = failure_of()

    response = operator_client.post(
        page_url(failure), resolve_form(failure, "Opened it by hand"), follow=True
    )

    failure.refresh_from_db()
    assert failure.resolved
    assert failure.resolved_by == operator
    assert timezone.now() - failure.resolved_at < timedelta(minutes=1)
    assert failure.note == "Opened it by hand"
    assert f"Resolved {failure}." in response.content.decode()
    entry = LogEntry.objects.get(object_id=str(failure.pk))
    assert entry.get_change_message() == "Resolved: Opened it by hand"


def test_resolve_needs_a_note(admin_client):
    failure = failure_of()

    response = admin_client.post(page_url(failure), resolve_form(failure, " "))

    assert response.status_code == 200
    assert "Say what was done about it" in response.content.decode()
    assert not Failure.objects.get(pk=failure.pk).resolved


def test_a_failure_that_recurred_after_the_page_opened_is_not_resolved(admin_client):
    failure = failure_of()
    form = resolve_form(failure, "Fixed")
    Failure.objects.filter(pk=failure.pk).update(
        last_seen=failure.last_seen + timedelta(seconds=5)
    )
    recur(failure, "PowerCode said no again")

    response = admin_client.post(page_url(failure), form)

    body = response.content.decode()
    assert "This failure happened again at" in body
    assert "PowerCode said no again" in body
    assert not Failure.objects.get(pk=failure.pk).resolved
    # The form now carries the new last_seen: resolving again, informed, works.
    form["seen_last_seen"] = (
        response.context["adminform"].form["seen_last_seen"].value()
    )
    admin_client.post(page_url(failure), form)
    assert Failure.objects.get(pk=failure.pk).resolved


def test_saving_the_note_does_not_resolve(admin_client):
    failure = failure_of()

    admin_client.post(
        page_url(failure),
        {"note": "Waiting for PowerCode support", "_continue": "Save note"},
    )

    failure.refresh_from_db()
    assert failure.note == "Waiting for PowerCode support"
    assert not failure.resolved


def test_saving_the_note_leaves_a_recurrence_meanwhile_open(admin_client):
    failure = failure_of()
    form = {"note": "Asked PowerCode", "_continue": "Save note"}
    real_save_form = FailureAdmin.save_form

    def recur_meanwhile(self, request, form, change):
        Failure.objects.filter(pk=failure.pk).update(occurrences=2, message="again")
        return real_save_form(self, request, form, change)

    with mock.patch.object(FailureAdmin, "save_form", recur_meanwhile):
        admin_client.post(page_url(failure), form)

    failure.refresh_from_db()
    assert (failure.note, failure.occurrences, failure.message) == (
        "Asked PowerCode",
        2,
        "again",
    )


def test_a_failure_that_recurs_forgets_who_resolved_it():
    failure = failure_of()
    resolve_failure(failure, user=StaffUserFactory(), note="Fixed")

    record_failure(failure.order, failure.kind, "It came back.")

    failure.refresh_from_db()
    assert not failure.resolved
    assert failure.resolved_by is None and failure.resolved_at is None


def test_page_shows_buttons_customer_data_and_links(operator_client):
    delivery = WebhookDelivery.objects.create(method="POST")
    failure = failure_of(
        customer_data={"name": "Mei Chen", "city": "Taylorsville"}, delivery=delivery
    )

    body = operator_client.get(page_url(failure)).content.decode()

    assert 'id="resolve-failure"' in body
    assert 'id="retry-failure"' in body
    assert 'id="delete-failure"' in body
    assert '<th scope="row">city</th><td>Taylorsville</td>' in body
    assert reverse("admin:orders_order_change", args=[failure.order_id]) in body
    assert reverse("admin:orders_webhookdelivery_change", args=[delivery.pk]) in body


def test_bulk_resolve_asks_for_a_note_then_resolves_each(operator_client, operator):
    failures = [failure_of(), failure_of()]
    chosen = {
        "action": "resolve_with_note",
        "_selected_action": [f.pk for f in failures],
    }

    asked = operator_client.post(LIST_URL, chosen)
    assert not Failure.objects.filter(resolved=True).exists()
    confirm = {
        **chosen,
        "apply": "yes",
        "note": "Checked in PowerCode",
        **{f"seen_{f.pk}": f.last_seen.isoformat() for f in failures},
    }
    done = operator_client.post(LIST_URL, confirm, follow=True)

    assert 'id="resolve-with-note-form"' in asked.content.decode()
    assert "Resolved 2 failures." in done.content.decode()
    for failure in failures:
        failure.refresh_from_db()
        assert (failure.resolved_by, failure.note) == (operator, "Checked in PowerCode")
    assert (
        LogEntry.objects.filter(change_message="Resolved: Checked in PowerCode").count()
        == 2
    )


def test_bulk_resolve_leaves_open_one_that_recurred_meanwhile(admin_client):
    calm, recurring = failure_of(), failure_of()
    confirm = {
        "action": "resolve_with_note",
        "_selected_action": [calm.pk, recurring.pk],
        "apply": "yes",
        "note": "Done",
        f"seen_{calm.pk}": calm.last_seen.isoformat(),
        f"seen_{recurring.pk}": recurring.last_seen.isoformat(),
    }
    Failure.objects.filter(pk=recurring.pk).update(
        last_seen=timezone.now() + timedelta(seconds=1)
    )

    response = admin_client.post(LIST_URL, confirm, follow=True)

    body = response.content.decode()
    assert "Resolved 1 failure." in body
    assert (
        f"Left open, as they happened again after you chose them: {recurring}" in body
    )
    assert Failure.objects.get(pk=calm.pk).resolved
    assert not Failure.objects.get(pk=recurring.pk).resolved


@committing
def test_retry_button_provisions_the_order_again(upstreams, operator_client):
    order = Order.objects.create(orderref="UIA202511-040103")
    provision_order.delay(order.pk).get()
    failure = order.failures.get()
    ServicePlanMapping.objects.create(
        utopia_product="10 Gbps", powercode_service_id="9"
    )

    response = operator_client.post(
        reverse("admin:orders_failure_retry", args=[failure.pk]), follow=True
    )

    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert "Retried UIA202511-040103: it is now completed." in response.content.decode()
    assert Failure.objects.get(pk=failure.pk).resolved  # settled by the pipeline
    assert LogEntry.objects.get(
        object_id=str(failure.pk), content_type__model="failure"
    ).change_message == ("Order: Retried.")


def test_an_intake_failure_cannot_be_retried(admin_client):
    failure = Failure.objects.create(kind=FailureKind.INVALID_WEBHOOK, message="no ref")

    page = admin_client.get(page_url(failure)).content.decode()
    response = admin_client.post(
        reverse("admin:orders_failure_retry", args=[failure.pk]), follow=True
    )

    assert 'id="retry-failure"' not in page
    assert 'id="failure-no-order"' in page
    assert "there is no order to retry" in response.content.decode()


def test_bulk_retry_queues_each_order_once_and_names_intake_failures(admin_client):
    order = OrderFactory(state=OrderState.FAILED)
    both = [failure_of(order), failure_of(order, kind=FailureKind.TAGGING_FAILED)]
    intake = Failure.objects.create(kind=FailureKind.INVALID_WEBHOOK, message="x")

    response = admin_client.post(
        LIST_URL,
        {
            "action": "retry_orders",
            "_selected_action": [f.pk for f in [*both, intake]],
        },
        follow=True,
    )

    body = response.content.decode()
    assert "Queued 1 of 1 orders." in body
    assert "1 failure of no order cannot be retried" in body
    assert Order.objects.get(pk=order.pk).state == OrderState.RECEIVED


def test_delete_one_and_in_bulk(operator_client):
    one, two, three = failure_of(), failure_of(), failure_of()

    operator_client.post(
        reverse("admin:orders_failure_delete", args=[one.pk]), {"post": "yes"}
    )
    operator_client.post(
        LIST_URL,
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )

    assert list(Failure.objects.all()) == [three]
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2


def test_a_viewer_cannot_resolve_retry_or_delete():
    failure = failure_of()
    viewer = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_failure"))
    client = Client()
    client.force_login(viewer)

    page = client.get(page_url(failure)).content.decode()
    refused = [
        client.post(page_url(failure), resolve_form(failure, "x")),
        client.post(reverse("admin:orders_failure_retry", args=[failure.pk])),
        client.post(
            reverse("admin:orders_failure_delete", args=[failure.pk]), {"post": "yes"}
        ),
    ]

    assert 'id="resolve-failure"' not in page
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert not Failure.objects.get(pk=failure.pk).resolved


def test_no_secret_is_shown(admin_client, settings):
    secret = settings.PC_API_KEY
    failure = failure_of(customer_data={"api_key": secret}, message=f"key={secret}")

    pages = [
        admin_client.get(page_url(failure)),
        admin_client.get(LIST_URL),
        admin_client.get(reverse("admin:orders_order_change", args=[failure.order_id])),
        admin_client.get("/api/failures"),
    ]

    for response in pages:
        body = response.content.decode()
        assert secret not in body
        assert "key=********" in body


def test_a_note_saved_from_an_old_page_keeps_the_resolution_note(admin_client):
    failure = failure_of()
    page = admin_client.get(page_url(failure))
    version = page.context["adminform"].form["opened_version"].value()
    resolve_failure(failure, user=StaffUserFactory(), note="Created ticket 881")

    response = admin_client.post(
        page_url(failure),
        {"note": "looking at it", "_continue": "Save note", "opened_version": version},
    )

    failure.refresh_from_db()
    assert "Someone saved a change here" in response.content.decode()
    assert failure.note == "Created ticket 881"


def test_a_resolve_from_an_old_page_keeps_a_newer_note(admin_client):
    failure = failure_of()
    page = admin_client.get(page_url(failure))
    form = resolve_form(failure, "fixed")
    form["opened_version"] = page.context["adminform"].form["opened_version"].value()
    Failure.objects.filter(pk=failure.pk).update(note="Do not resolve: ticket 991")

    response = admin_client.post(page_url(failure), form)

    failure.refresh_from_db()
    assert "Someone saved a change here" in response.content.decode()
    assert (failure.resolved, failure.note) == (False, "Do not resolve: ticket 991")


def test_an_orders_failure_links_the_orders_deliveries(operator_client):
    failure = failure_of()
    delivery = WebhookDelivery.objects.create(
        method="POST", orderref=failure.orderref, order=failure.order
    )
    WebhookDelivery.objects.create(method="POST", orderref="UIA-OTHER")

    body = operator_client.get(page_url(failure)).content.decode()
    url = f"/admin/orders/webhookdelivery/?order__id__exact={failure.order_id}"
    listed = operator_client.get(url).context["cl"].result_list

    assert url in body
    assert list(listed) == [delivery]
