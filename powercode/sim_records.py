"""The customer records the PowerCode simulator keeps and shows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

REQUIRED_CUSTOMER_FIELDS = (
    "firstName",
    "lastName",
    "physicalStreet",
    "physicalCity",
    "physicalState",
    "physicalZip",
)
SUMMARY_KEYS = (
    "CustomerID",
    "CompanyName",
    "FirstName",
    "LastName",
    "Address1",
    "City",
    "State",
    "Zip",
    "ExtAccountID",
)


def summary(customer: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields a customer search shows."""
    return {key: customer.get(key, "") for key in SUMMARY_KEYS}


def name_matches(customer: Mapping[str, Any], text: str) -> bool:
    """Tell whether a customer's name contains the text, ignoring case."""
    return text.lower() in str(customer.get("CompanyName", "")).lower()


def find_customers(
    customers: Iterable[Mapping[str, Any]], query: str
) -> list[dict[str, Any]]:
    """Return the customers whose name or a phone number matches the query."""
    text = query.strip()
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    return [
        summary(customer)
        for customer in customers
        if name_matches(customer, text)
        or (len(digits) >= 4 and any(digits in n for n in phone_numbers(customer)))
    ]


def next_customer_id(customers: Mapping[str, Any]) -> str:
    """Return the id the next customer gets: one past the highest, from 2001."""
    numeric = [int(key) for key in customers if key.isdigit()]
    return str(max([*numeric, 2000]) + 1)


def customer_record(customer_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """Store a new customer the way the sample ones look, plus the raw fields."""
    first, last = fields["firstName"], fields["lastName"]
    return {
        "CustomerID": customer_id,
        "CompanyName": f"{first} {last}",
        "FirstName": first,
        "LastName": last,
        "Address1": fields["physicalStreet"],
        "City": fields["physicalCity"],
        "State": fields["physicalState"].upper(),
        "Zip": fields["physicalZip"],
        "ExtAccountID": fields.get("extAccountID", ""),
        **fields,
    }


def phone_numbers(customer: Mapping[str, Any]) -> list[str]:
    """Return the digits of each of a customer's phone numbers."""
    try:
        phones = json.loads(customer.get("phone") or "[]")
    except (TypeError, ValueError):
        return []
    if not isinstance(phones, list):
        return []
    numbers = [str(p.get("Number", "")) for p in phones if isinstance(p, dict)]
    return ["".join(ch for ch in number if ch.isdigit()) for number in numbers]
