"""A PowerCode customer record as ISP support staff read it.

PowerCode answers with its own field names, and the same field can come back
under several spellings (``ExtAccountID`` and ``extAccountID``, ``Address1`` and
``physicalStreet``). Staff get a short summary with each field once, then every
other field under a readable label.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The summary, in order: a slug for the page, the label, and PowerCode's
# spellings of the field, preferred first. Names compare ignoring case.
SUMMARY_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("customer-id", "PowerCode id", ("CustomerID",)),
    ("name", "Name / company", ("CompanyName",)),  # with first and last name
    ("street", "Street", ("Address1", "physicalStreet", "Street")),
    ("street2", "Street, line 2", ("Address2", "physicalStreet2")),
    ("city", "City", ("City", "physicalCity")),
    ("state", "State", ("State", "physicalState")),
    ("zip", "Zip", ("Zip", "physicalZip", "ZipCode", "PostalCode")),
    ("email", "Email", ("Email", "EmailAddress")),
    ("phone", "Phone", ("phone", "Phones", "PhoneNumbers")),
    ("site-id", "Utopia site id (extAccountID)", ("ExtAccountID",)),
    ("status", "Status", ("Status", "CustomerStatus", "AccountStatus")),
)
FIRST_NAMES = ("FirstName",)
LAST_NAMES = ("LastName",)
OPTIONAL_ROWS = frozenset({"street2", "status"})  # shown only when they hold text

# Labels for the other fields UAC sends PowerCode; any other name is spelled out.
KNOWN_LABELS = {
    "billday": "Bill day",
    "billingsameasphysical": "Billing address same as physical",
    "customernotes": "Notes",
    "customerportalpassword": "Customer portal password",
    "customerportalusername": "Customer portal user name",
    "duebydays": "Due after (days)",
    "graceperioddays": "Grace period (days)",
    "invoicepreference": "Invoice preference",
    "physicalautomaticallygeocode": "Address geocoded automatically",
    "taxzoneid": "Tax zone id",
}
YES_NO_FIELDS = frozenset({"billingsameasphysical", "physicalautomaticallygeocode"})
YES_NO = {"1": "Yes", "0": "No", "true": "Yes", "false": "No"}
BLANK = "-"
NO_NAME = "(no name)"
Render = Callable[[object], str]


@dataclass(frozen=True)
class SummaryRow:
    slug: str
    label: str
    text: str


@dataclass(frozen=True)
class FieldRow:
    """A field outside the summary: its readable label and PowerCode's name."""

    label: str
    name: str
    text: str


@dataclass(frozen=True)
class ReadableCustomer:
    customer_id: str
    name: str
    ext_account_id: str
    summary: list[SummaryRow]
    other_fields: list[FieldRow]


def readable_customer(record: Mapping[str, Any]) -> ReadableCustomer:
    """Split a customer record into a summary and the fields left over."""
    left = dict(record)
    summary = []
    for slug, label, names in SUMMARY_FIELDS:
        if slug == "name":
            summary.append(name_row(left, label, names))
            continue
        text = take_field(left, names, format_phones if slug == "phone" else text_of)
        if text or (text is not None and slug not in OPTIONAL_ROWS):
            summary.append(SummaryRow(slug, label, text or BLANK))
    shown = {row.slug: row.text for row in summary}
    other = [field_row(key, value) for key, value in left.items()]
    return ReadableCustomer(
        customer_id=_real(shown.get("customer-id")),
        name=shown["name"],
        ext_account_id=_real(shown.get("site-id")),
        summary=summary,
        other_fields=sorted(
            (row for row in other if row.text), key=lambda r: r.name.casefold()
        ),
    )


def name_row(left: dict[str, Any], label: str, names: tuple[str, ...]) -> SummaryRow:
    """One name: the company, or first and last, or both when they differ."""
    company = take_field(left, names) or ""
    person = " ".join(
        part
        for part in (take_field(left, FIRST_NAMES), take_field(left, LAST_NAMES))
        if part
    )
    # For residential customers PowerCode's CompanyName holds "First Last".
    if not person or same_text(company, person):
        name = company or NO_NAME
    elif not company:
        name = person
    else:
        name = f"{person} / {company}"
    return SummaryRow("name", label, name)


def take_field(
    left: dict[str, Any], names: tuple[str, ...], render: Render | None = None
) -> str | None:
    """Take a field out of the record under any of its spellings.

    Returns the text of the first spelling that holds something, "" when the
    record has the field but blank, None when it lacks it. A spelling holding a
    different value stays in the record: staff should see the disagreement.
    """
    render = render or text_of
    wanted = [name.casefold() for name in names]
    keys = sorted(
        (key for key in left if key.casefold() in wanted),
        key=lambda key: wanted.index(key.casefold()),
    )
    if not keys:
        return None
    texts = {key: render(left[key]) for key in keys}
    chosen = next((texts[key] for key in keys if texts[key]), "")
    for key in keys:
        if not texts[key] or same_text(texts[key], chosen):
            del left[key]
    return chosen


def field_row(name: str, value: object) -> FieldRow:
    key = name.casefold()
    text = format_phones(value) if "phone" in key else text_of(value)
    if key in YES_NO_FIELDS:
        text = YES_NO.get(text.casefold(), text)
    return FieldRow(KNOWN_LABELS.get(key) or spelled_out(name), name, text)


def spelled_out(name: str) -> str:
    """Turn a field name like physicalStreet2 or Tax_Zone into words."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    parts = words.replace("_", " ").split()
    parts = [part if part.isupper() else part.lower() for part in parts]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def format_phones(value: object) -> str:
    """PowerCode's phone list, often a JSON string, as "Home 385.555.0107"."""
    phones = value
    if isinstance(value, str) and value.strip().startswith(("[", "{")):
        try:
            phones = json.loads(value)
        except ValueError:
            return value.strip()
    if isinstance(phones, dict):
        phones = [phones]
    if not isinstance(phones, list):
        return text_of(value)
    numbers = []
    for phone in phones:
        if isinstance(phone, dict):
            kind = text_of(_get(phone, "Type"))
            number = text_of(_get(phone, "Number"))
            numbers.append(" ".join(p for p in (kind, number) if p))
        else:
            numbers.append(text_of(phone))
    return "; ".join(n for n in numbers if n)


def text_of(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(t for t in (text_of(item) for item in value) if t)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {text_of(v)}" for k, v in value.items())
    return "" if value is None else str(value).strip()


def same_text(a: str, b: str) -> bool:
    """Equal but for case and spacing: "250 N Main St" is "250 N MAIN  ST"."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _get(mapping: Mapping[str, Any], name: str) -> object:
    return next((v for k, v in mapping.items() if k.casefold() == name.casefold()), "")


def _real(text: str | None) -> str:
    return "" if text in (None, BLANK) else str(text)
