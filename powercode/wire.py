"""How PowerCode's requests and answers look on the wire, and how we read them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

EXCERPT_CHARS = 200
# Keys of the legacy API's envelope, not part of the customer or ticket it wraps.
ENVELOPE_KEYS = frozenset({"statusCode", "message"})


def form_fields(fields: Mapping[str, object]) -> dict[str, str]:
    """Encode action fields as the legacy API reads them."""
    data = {}
    for name, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            data[name] = "1" if value else "0"
        elif isinstance(value, list | dict):
            # PowerCode reads structured fields (such as phone) as JSON strings.
            data[name] = json.dumps(value)
        else:
            data[name] = str(value)
    return data


def password_values(data: Mapping[str, str]) -> list[str]:
    """Return the values of the fields that hold a password."""
    return [value for name, value in data.items() if "password" in name.lower()]


def excerpt(text: str, secrets: Sequence[str]) -> str:
    """Return the start of a text on one line, with the secrets blanked out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = " ".join(text.split())
    if len(text) > EXCERPT_CHARS:
        return text[: EXCERPT_CHARS - 3] + "..."
    return text


def is_success(value: object) -> bool:
    """Tell whether a UAPI "Success" value means success."""
    return value is True or str(value).lower() in {"1", "true"}


def records(value: Any) -> list[dict[str, Any]]:
    """Return a list of records from a list, a dict of dicts, or nothing."""
    if value is None:
        return []
    if isinstance(value, dict):
        items = list(value.values())
        if not all(isinstance(item, dict) for item in items):
            items = [value]  # a single record rather than records keyed by id
    elif isinstance(value, list):
        items = value
    else:
        return []
    return [with_str_id(item) for item in items if isinstance(item, dict)]


def with_str_id(record: dict[str, Any]) -> dict[str, Any]:
    """Return the record with CustomerID as a string, however PowerCode sent it."""
    if record.get("CustomerID") is None:
        return record
    return {**record, "CustomerID": str(record["CustomerID"])}


def customer_from(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the customer in a readCustomer answer, wherever it sits."""
    for key in ("customer", "Customer", "customers"):
        if key in answer:
            value = answer[key]
            break
    else:
        value = without_envelope(answer)

    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict) or not value:
        return None
    return with_str_id(value)


def without_envelope(answer: Mapping[str, Any]) -> dict[str, Any]:
    """Return an answer without its statusCode and message."""
    return {key: value for key, value in answer.items() if key not in ENVELOPE_KEYS}


def answer_id(answer: Mapping[str, Any], key: str) -> str | None:
    """Return the id an answer names under key or its capitalised form."""
    for name in (key, key[0].upper() + key[1:]):
        value = answer.get(name)
        if value not in (None, ""):
            return str(value)
    return None


def tag_params(
    customer_id: str, tag_ids: Sequence[str | int]
) -> list[tuple[str, object]]:
    """Build the query of a UAPI tag call: the customer, then each tag id."""
    return [("customerID", customer_id), *(("tags[]", tag_id) for tag_id in tag_ids)]
