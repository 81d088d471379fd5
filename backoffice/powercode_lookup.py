"""The PowerCode lookup: find customers, read one with its tags and UAC orders."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from backoffice.powercode_record import FieldRow, SummaryRow, readable_customer
from orders.models import Order
from orders.upstream import powercode_client
from powercode.client import PowerCodeError, customer_page_url
from uac.masking import mask_secrets

logger = logging.getLogger(__name__)

BY_NAME = "name"
BY_ID = "id"
BY_SITE = "site"
SEARCH_KINDS = {
    BY_NAME: "Name or phone",
    BY_ID: "PowerCode customer id",
    BY_SITE: "Utopia site id (extAccountID)",
}
MAX_FOUND = 50


@dataclass
class CustomerView:
    """One PowerCode customer as staff read it."""

    customer_id: str
    name: str
    summary: list[SummaryRow]
    other_fields: list[FieldRow]
    page_url: str
    ext_account_id: str = ""
    tags: list[dict[str, Any]] = field(default_factory=list)
    tags_error: str = ""
    orders: list[Order] = field(default_factory=list)


@dataclass
class PowerCodeLookup:
    """The answer to one search: customers found, or why not."""

    kind: str
    query: str
    customers: list[CustomerView] = field(default_factory=list)
    error: str = ""
    not_found: bool = False


def look_up_customers(kind: str, query: str) -> PowerCodeLookup:
    """Search by name or phone, or read one customer by id or site id."""
    lookup = PowerCodeLookup(kind, query)
    try:
        if kind == BY_NAME:
            found = powercode_client().find_customers(query)[:MAX_FOUND]
            lookup.customers = [customer_view(c) for c in found]
            for view in lookup.customers:
                view.orders = list(orders_of(view.customer_id, view.ext_account_id))
        else:
            read_one(lookup)
    except PowerCodeError as err:
        logger.info("powercode lookup failed (HTTP %s)", err.status_code)
        lookup.error = f"PowerCode did not answer usably: {mask_secrets(err.message)}"
        return lookup
    lookup.not_found = not lookup.customers
    return lookup


def read_one(lookup: PowerCodeLookup) -> None:
    """Read the customer with the tags it has and the orders UAC has for it."""
    if lookup.kind == BY_ID:
        customer = powercode_client().read_customer(customer_id=lookup.query)
    else:
        customer = powercode_client().read_customer(ext_account_id=lookup.query)
    if customer is None:
        return

    view = customer_view(customer)
    view.orders = list(orders_of(view.customer_id, view.ext_account_id))
    try:
        view.tags = powercode_client().customer_tags(view.customer_id)
    except PowerCodeError as err:
        # The customer is worth showing even when its tags cannot be read.
        view.tags_error = f"Tags not read: {mask_secrets(err.message)}"
    lookup.customers = [view]


def customer_view(record: dict[str, Any]) -> CustomerView:
    readable = readable_customer(mask_secrets(record))
    customer_id = readable.customer_id
    return CustomerView(
        customer_id=customer_id,
        name=readable.name,
        summary=readable.summary,
        other_fields=readable.other_fields,
        page_url=customer_page_url(settings.PC_URL, customer_id) if customer_id else "",
        ext_account_id=readable.ext_account_id,
    )


def orders_of(customer_id: str, site_id: str) -> QuerySet[Order]:
    """UAC's orders for the customer: created as it, or for its Utopia site."""
    # An empty id would match every order not yet provisioned or fetched.
    match = Q(pk__in=[])
    if customer_id:
        match |= Q(powercode_customer_id=customer_id)
    if site_id:
        match |= Q(site_id=site_id)
    return Order.objects.filter(match).order_by("-received_at")
