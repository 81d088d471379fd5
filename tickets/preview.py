"""Ticket previews: a template rendered for a stored order or the sample order.

The text comes from orders.powercode_fields.rendered_ticket, the function the
pipeline's open_ticket step sends to PowerCode, so staff see what a customer's
ticket will say, not an approximation of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from orders.models import Order
from orders.powercode_fields import rendered_ticket
from orders.utopia_data import clean_utopia_data, copy_utopia_data
from tickets.models import TicketTemplate
from tickets.rendering import UnknownPlaceholderError

SAMPLE_FILE = Path(settings.BASE_DIR) / "uac" / "sample_orders.json"


class PreviewOrderNotFound(LookupError):
    """No stored order with Utopia data has the orderref staff asked for."""


@dataclass(frozen=True)
class TicketPreview:
    """What the ticket would say: its summary line and HTML, or why not."""

    order_label: str
    subject: str = ""
    description: str = ""
    error: str = ""


@cache
def sample_utopia_answer() -> dict[str, Any]:
    """The first Utopia answer in the sample file, as the pipeline keeps it."""
    data = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    return clean_utopia_data(data["utopia_orders"][0])


def sample_order() -> Order:
    """Return an unsaved order built from the sample Utopia answer."""
    data = sample_utopia_answer()
    order = Order(orderref=data["orderref"])
    copy_utopia_data(order, data)
    return order


def preview_order(orderref: str) -> Order:
    """Return the stored order to preview for; the sample order when blank."""
    orderref = orderref.strip()
    if not orderref:
        return sample_order()

    # The site id is copied out of Utopia's answer, so it marks fetched orders.
    order = Order.objects.filter(orderref=orderref).exclude(site_id="").first()
    if order is None:
        raise PreviewOrderNotFound(
            f"No stored order {orderref} has data from Utopia yet. Pick another"
            " order, or leave the order empty to use the sample order."
        )
    return order


def preview_ticket(template: TicketTemplate, orderref: str = "") -> TicketPreview:
    """Render template for the order named by orderref, or the sample order."""
    try:
        order = preview_order(orderref)
    except PreviewOrderNotFound as err:
        return TicketPreview(order_label=orderref.strip(), error=str(err))

    label = f"order {order.orderref}" if order.pk else "the sample order"
    try:
        subject, description = rendered_ticket(order, template)
    except UnknownPlaceholderError as err:
        return TicketPreview(order_label=label, error=str(err))
    return TicketPreview(order_label=label, subject=subject, description=description)


def recent_preview_orders(limit: int = 20) -> list[str]:
    """The orderrefs of the newest orders that have Utopia data."""
    orders = Order.objects.exclude(site_id="").order_by("-received_at")
    return list(orders.values_list("orderref", flat=True)[:limit])
