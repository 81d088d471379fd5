"""The PowerCode lookup: find customers, read one with its tags and UAC orders."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

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
# Shown first, in this order, when PowerCode sends them; the rest follow.
LEADING_FIELDS = (
    "CustomerID",
    "CompanyName",
    "FirstName",
    "LastName",
    "Address1",
    "Address2",
    "City",
    "State",
    "Zip",
    "ExtAccountID",
)


@dataclass
class CustomerView:
    """One PowerCode customer as staff read it."""

    customer_id: str
    name: str
    fields: list[tuple[str, str]]
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
    shown = mask_secrets(record)
    customer_id = str(shown.get("CustomerID") or "")
    name = str(shown.get("CompanyName") or "").strip() or " ".join(
        str(shown.get(k) or "") for k in ("FirstName", "LastName")
    )
    return CustomerView(
        customer_id=customer_id,
        name=name.strip() or "(no name)",
        fields=readable_fields(shown),
        page_url=customer_page_url(settings.PC_URL, customer_id) if customer_id else "",
        ext_account_id=str(shown.get("ExtAccountID") or ""),
    )


def readable_fields(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The record's fields as label and text, the usual ones first, blanks out."""
    ordered = [k for k in LEADING_FIELDS if k in record]
    ordered += sorted(k for k in record if k not in LEADING_FIELDS)
    return [(key, text_of(record[key])) for key in ordered if text_of(record[key])]


def text_of(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(text_of(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {text_of(v)}" for k, v in value.items())
    return "" if value is None else str(value).strip()


def orders_of(customer_id: str, site_id: str) -> QuerySet[Order]:
    """UAC's orders for the customer: created as it, or for its Utopia site."""
    # An empty id would match every order not yet provisioned or fetched.
    match = Q(pk__in=[])
    if customer_id:
        match |= Q(powercode_customer_id=customer_id)
    if site_id:
        match |= Q(site_id=site_id)
    return Order.objects.filter(match).order_by("-received_at")
