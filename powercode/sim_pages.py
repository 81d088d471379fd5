"""The staff pages the PowerCode simulator shows in a browser.

UAC links staff to a customer's page in PowerCode; in the demo those links reach
the simulator, which answers with a small page of what it keeps for the customer.
Plain ``html.escape``: the simulator stays free of Django and of the pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

CUSTOMER_PAGE = "/customers/_view.php"  # the `page` parameter of a customer's page
HTML_TYPE = "text/html; charset=utf-8"


def customer_page(
    customer: Mapping[str, Any],
    services: Iterable[Mapping[str, str]],
    tag_ids: Iterable[int],
    tickets: Iterable[tuple[str, Mapping[str, str]]],
) -> bytes:
    """Return the HTML page showing one simulated customer."""
    customer_id = str(customer.get("CustomerID", ""))
    name = str(customer.get("CompanyName") or "").strip() or " ".join(
        str(customer.get(key) or "") for key in ("FirstName", "LastName")
    )
    city = str(customer.get("City") or "")
    state_zip = " ".join(str(customer.get(k) or "") for k in ("State", "Zip")).strip()
    town = ", ".join(part for part in (city, state_zip) if part)
    rows = [
        ("Customer id", customer_id),
        ("Name", name.strip()),
        ("Address", ", ".join(p for p in (customer.get("Address1"), town) if p)),
        ("Ext account id (Utopia site id)", customer.get("ExtAccountID")),
        ("Email", customer.get("emailAddress")),
        ("Phone", phones_text(customer.get("phone"))),
    ]
    table = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{escape(str(value or "-"))}</td>'
        "</tr>"
        for label, value in rows
    )
    service_items = [
        f"Service {s.get('serviceID', '')} (quantity {s.get('quantity', '1')})"
        for s in services
    ]
    tag_items = [f"Tag {tag} (#{tag})" for tag in sorted(tag_ids)]
    ticket_items = [
        f"#{ticket_id} {fields.get('summary', '')}" for ticket_id, fields in tickets
    ]
    body = (
        f'<table id="customer">{table}</table>'
        + _section("Services", "services", service_items, "No services.")
        + _section("Tags", "tags", tag_items, "No tags.")
        + _section("Tickets", "tickets", ticket_items, "No tickets.")
    )
    return _page(f"customer #{customer_id} {name.strip()}", body)


def not_found_page(message: str) -> bytes:
    """Return the HTML page for a customer or page the simulator does not have."""
    return _page("not found", f'<p id="not-found">{escape(message)}</p>')


def phones_text(value: object) -> str:
    """Return phone numbers kept as PowerCode's JSON list as "Home 801-555-0142"."""
    try:
        phones = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if not isinstance(phones, list):
        return "" if phones is None else str(value)
    numbers = (
        " ".join(str(p.get(k) or "") for k in ("Type", "Number")).strip()
        for p in phones
        if isinstance(p, dict)
    )
    return "; ".join(n for n in numbers if n)


def _section(title: str, css_id: str, items: list[str], empty: str) -> str:
    listed = "".join(f"<li>{escape(item)}</li>" for item in items)
    listed = listed or f"<li>{escape(empty)}</li>"
    return f'<h2>{escape(title)}</h2><ul id="{css_id}">{listed}</ul>'


def _page(title: str, body: str) -> bytes:
    # The heading says whose page this is: staff must not mistake it for PowerCode.
    text = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>PowerCode simulator: {escape(title)}</title></head><body>"
        f"<h1>PowerCode simulator: {escape(title)}</h1>"
        '<p id="simulator-note">This page comes from UAC\'s PowerCode simulator,'
        " not from PowerCode: it shows what the simulator keeps for the demo.</p>"
        f"{body}</body></html>\n"
    )
    return text.encode("utf-8")
