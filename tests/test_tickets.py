"""Ticket templates: placeholders filled with escaped data, unknown ones refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from orders.powercode_fields import rendered_ticket
from tickets.models import TicketTemplate
from tickets.rendering import UnknownPlaceholderError, render_text

pytestmark = pytest.mark.django_db


def test_placeholders_are_filled_and_customer_data_escaped_in_html():
    html = render_text(
        "<p>{customer_name} at {city}</p>",
        {"customer_name": "<script>x</script>", "city": "Layton"},
        html=True,
    )

    assert html == "<p>&lt;script&gt;x&lt;/script&gt; at Layton</p>"


def test_css_and_other_braces_are_left_alone():
    text = "<style>p { color: red; }</style>{order_ref}"

    assert render_text(text, {"order_ref": "A1"}, html=True).endswith("}</style>A1")


def test_unknown_placeholder_is_an_error_not_text():
    with pytest.raises(UnknownPlaceholderError, match=r"\{customer_nmae\}"):
        render_text("Hi {customer_nmae}", {}, html=False)


def test_template_with_unknown_placeholder_does_not_validate():
    template = TicketTemplate(name="x", subject="{oops}", body="{customer_name}")

    with pytest.raises(ValidationError, match=r"Unknown placeholder: \{oops\}"):
        template.full_clean()


def test_activating_a_template_deactivates_the_previous_one():
    seeded = TicketTemplate.active()
    other = TicketTemplate.objects.create(name="Other", subject="s", body="b")

    other.activate()

    assert TicketTemplate.active() == other
    seeded.refresh_from_db()
    assert not seeded.is_active


def test_seeded_template_renders_an_order(upstreams):
    from tests.test_pipeline import provision

    order = provision("UIA202511-040101")

    title, description = rendered_ticket(order, TicketTemplate.active())
    assert title == "New Utopia customer: Ana García-López"
    assert "UIA202511-040101" in description
    assert "4B" in description
    assert "{" not in description
