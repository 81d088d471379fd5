"""Staff edit and preview the ticket template in Chromium."""

from __future__ import annotations

import pytest

from backoffice.roles import OPERATORS
from tickets.models import TicketTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_active_template(page):
    page.click("#tickets-tickettemplate a")
    page.click(f"text={TicketTemplate.active().name}")
    page.wait_for_selector("#id_body")


def test_an_operator_edits_and_previews_the_ticket_template(log_in, screenshot):
    page = log_in(OPERATORS)
    open_active_template(page)

    page.fill("#id_summary", "New customer in {city}: {customer_name}")
    page.click("#preview-template")

    subject = page.inner_text("#ticket-preview-subject")
    description = page.frame_locator("#ticket-preview-frame").locator("body")
    assert "García" in description.inner_text()
    assert TicketTemplate.active().summary != page.input_value("#id_summary")
    # A full-page capture leaves the sandboxed frame blank: show it in view.
    page.locator("#ticket-preview").scroll_into_view_if_needed()
    screenshot(page, "ticket-template-preview", full_page=False)
    assert subject

    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert TicketTemplate.active().summary.startswith("New customer in {city}")


def test_an_unknown_placeholder_is_refused_by_name(log_in, screenshot):
    page = log_in(OPERATORS)
    open_active_template(page)
    body_before = TicketTemplate.active().body

    page.fill("#id_body", "Plan: {plan_name}")
    page.click("input[name=_save]")

    assert "{plan_name}" in page.inner_text(".field-body .errorlist")
    assert TicketTemplate.active().body == body_before
    screenshot(page, "ticket-template-unknown-placeholder")
