"""Staff write, preview and activate ticket templates in the admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from orders.models import Order
from tests.factories import OrderFactory
from tests.test_pipeline import ANA, provision
from tickets.models import TicketTemplate

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:tickets_tickettemplate_changelist"
ADD = "admin:tickets_tickettemplate_add"


@pytest.fixture
def seeded() -> TicketTemplate:
    return TicketTemplate.active()


@pytest.fixture
def other() -> TicketTemplate:
    return TicketTemplate.objects.create(
        name="Business", subject="Business: {customer_name}", body="<p>{city}</p>"
    )


def change_url(template: TicketTemplate) -> str:
    return reverse("admin:tickets_tickettemplate_change", args=[template.pk])


def form_data(template: TicketTemplate, **changes: str) -> dict[str, str]:
    data = {
        "name": template.name,
        "subject": template.subject,
        "summary": template.summary,
        "body": template.body,
    }
    return {**data, **changes}


def test_an_operator_creates_a_template(operator_client):
    response = operator_client.post(
        reverse(ADD),
        {"name": "Gold", "subject": "Gold: {customer_name}", "body": "<p>{zip}</p>"},
    )

    assert response.status_code == 302
    template = TicketTemplate.objects.get(name="Gold")
    assert not template.is_active
    assert LogEntry.objects.filter(object_id=str(template.pk)).exists()


def test_the_form_lists_the_placeholders(operator_client, seeded):
    body = operator_client.get(change_url(seeded)).content.decode()

    assert 'id="ticket-placeholders"' in body
    assert "{customer_name}" in body and "{service_plan}" in body


def test_an_unknown_placeholder_is_refused_and_named_at_its_field(
    operator_client, seeded
):
    response = operator_client.post(
        change_url(seeded), form_data(seeded, body="<p>{customer_nmae}</p>")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["body"] == ["Unknown placeholder: {customer_nmae}"]
    seeded.refresh_from_db()
    assert "customer_nmae" not in seeded.body


def test_preview_renders_the_unsaved_form_for_the_sample_order(operator_client, seeded):
    response = operator_client.post(
        change_url(seeded),
        {**form_data(seeded, subject="Draft for {first_name}"), "_preview": "1"},
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.order_label == "the sample order"
    assert preview.subject == "Draft for Ana"
    assert "UIA202511-040101" in preview.description
    assert 'id="ticket-preview-frame"' in response.content.decode()
    seeded.refresh_from_db()
    assert seeded.subject == "New Utopia customer: {customer_name}"
    assert not Order.objects.exists()


def test_preview_on_the_add_form_saves_nothing(operator_client):
    response = operator_client.post(
        reverse(ADD),
        {"name": "New", "subject": "{order_ref}", "body": "x", "_preview": "1"},
    )

    assert response.context["preview"].subject == "UIA202511-040101"
    assert not TicketTemplate.objects.filter(name="New").exists()


def test_preview_for_a_stored_order_escapes_customer_data(operator_client, seeded):
    OrderFactory(
        orderref="UIA-X1",
        site_id="SITE-1",
        first_name="<script>alert(1)</script>",
        utopia_data={"address": {"city": "Ogden"}},
    )

    response = operator_client.post(
        change_url(seeded),
        {
            **form_data(seeded, body="<b>{first_name}</b>"),
            "_preview": "1",
            "preview_order": "UIA-X1",
        },
    )

    preview = response.context["preview"]
    assert preview.order_label == "order UIA-X1"
    assert "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>" in preview.description
    assert "<script>alert(1)" not in response.content.decode()


def test_preview_for_an_order_without_utopia_data_says_so(operator_client, seeded):
    OrderFactory(orderref="UIA-EMPTY")

    response = operator_client.post(
        change_url(seeded),
        {**form_data(seeded), "_preview": "1", "preview_order": "UIA-EMPTY"},
    )

    assert "No stored order UIA-EMPTY has data from Utopia" in (
        response.content.decode()
    )


def test_preview_with_an_unknown_placeholder_shows_the_error(operator_client, seeded):
    response = operator_client.post(
        change_url(seeded),
        {**form_data(seeded, subject="{nope}"), "_preview": "1"},
    )

    body = response.content.decode()
    assert "Unknown placeholder: {nope}" in body
    assert 'id="ticket-preview-error"' in body
    assert "preview" not in response.context


def test_the_activate_button_switches_the_active_template(
    operator_client, seeded, other
):
    url = reverse("admin:tickets_tickettemplate_activate", args=[other.pk])

    response = operator_client.post(url, follow=True)

    assert "“Business” is now the active template" in response.content.decode()
    assert TicketTemplate.active() == other
    messages = LogEntry.objects.filter(object_id__in=[str(seeded.pk), str(other.pk)])
    assert {entry.change_message for entry in messages} == {
        "Made the active template.",
        "No longer active: “Business” was made active.",
    }


def test_the_activate_action_takes_exactly_one_template(operator_client, seeded, other):
    both = {"action": "activate_selected", "_selected_action": [seeded.pk, other.pk]}
    response = operator_client.post(reverse(CHANGELIST), both, follow=True)
    assert "Select exactly one template" in response.content.decode()
    assert TicketTemplate.active() == seeded

    one = {"action": "activate_selected", "_selected_action": [other.pk]}
    operator_client.post(reverse(CHANGELIST), one)
    assert TicketTemplate.active() == other


def test_the_active_template_is_not_deleted(operator_client, seeded):
    url = reverse("admin:tickets_tickettemplate_delete", args=[seeded.pk])

    response = operator_client.post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "is the active ticket template and cannot be deleted" in (
        response.content.decode()
    )
    assert TicketTemplate.objects.filter(pk=seeded.pk).exists()


def test_bulk_delete_refuses_a_selection_with_the_active_template(
    operator_client, seeded, other
):
    data = {
        "action": "delete_selected",
        "_selected_action": [seeded.pk, other.pk],
        "post": "yes",
    }

    response = operator_client.post(reverse(CHANGELIST), data, follow=True)

    assert "cannot be deleted" in response.content.decode()
    assert TicketTemplate.objects.count() == 2


def test_bulk_delete_removes_inactive_templates(operator_client, seeded, other):
    data = {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}

    operator_client.post(reverse(CHANGELIST), data)

    assert list(TicketTemplate.objects.all()) == [seeded]


def test_an_edit_in_the_admin_reaches_the_next_ticket(
    operator_client, seeded, upstreams
):
    operator_client.post(
        change_url(seeded),
        form_data(seeded, subject="Welcome {first_name} in {city}"),
    )

    provision(ANA)

    [ticket] = upstreams.powercode_calls("createTicket")
    assert ticket["summary"] == "Welcome Ana in Layton"


def test_the_make_active_button_shows_only_for_an_inactive_template(
    operator_client, seeded, other
):
    assert (
        'id="activate-template"'
        in operator_client.get(change_url(other)).content.decode()
    )
    assert 'id="activate-template"' not in (
        operator_client.get(change_url(seeded)).content.decode()
    )


def test_activating_an_id_that_is_not_one_is_not_found(operator_client):
    url = reverse("admin:tickets_tickettemplate_activate", args=["abc"])

    assert operator_client.post(url).status_code == 404


def test_an_edit_from_an_old_page_does_not_undo_another_edit(operator_client, seeded):
    subject_before = seeded.subject
    page = operator_client.get(change_url(seeded))
    version = page.context["adminform"].form["opened_version"].value()
    TicketTemplate.objects.filter(pk=seeded.pk).update(body="<p>New body</p>")

    stale = form_data(seeded, subject="Edited {customer_name}", opened_version=version)
    response = operator_client.post(change_url(seeded), stale)

    seeded.refresh_from_db()
    assert "Someone saved a change here" in response.content.decode()
    assert (seeded.body, seeded.subject) == ("<p>New body</p>", subject_before)


def test_a_body_sent_with_crlf_lines_is_not_a_change(operator_client, seeded):
    body = seeded.body.replace("\n", "\r\n")

    operator_client.post(
        change_url(seeded), form_data(seeded, summary="Only this", body=body)
    )

    seeded.refresh_from_db()
    change = LogEntry.objects.get(object_id=str(seeded.pk)).get_change_message()
    assert "\r" not in seeded.body
    assert "Body" not in change and "First line" in change
