"""What Utopia says about an order, made safe to store and copied onto it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orders.models import Order
from uac.masking import mask_secrets
from uac.text import storable

# The fields the pipeline reads; each is made a string, whatever Utopia sent.
TEXT_FIELDS = {
    "customer": ("firstname", "lastname", "email", "phone"),
    "address": ("address", "apt", "city", "state", "zip", "siteid"),
}


class UnusableAnswer(ValueError):
    """Utopia's answer cannot be kept as it is."""


def clean_utopia_data(data: dict[str, Any]) -> dict[str, Any]:
    """Utopia's answer with secrets masked and only text a database keeps.

    Scalars in the customer and the address become strings, so later steps
    never trip on a number where Utopia usually sends text; an object or a
    list where the pipeline needs text makes the answer unusable.
    """
    try:
        cleaned = mask_secrets(storable_values(data))
    except RecursionError as err:
        raise UnusableAnswer("Utopia's answer is nested too deeply to keep.") from err
    for part, fields in TEXT_FIELDS.items():
        if isinstance(cleaned.get(part), dict):
            cleaned[part] = {
                key: value if isinstance(value, dict | list) else text(value)
                for key, value in cleaned[part].items()
            }
            refuse_structured(part, cleaned[part], fields)
    return cleaned


def refuse_structured(part: str, values: dict[str, Any], fields: Sequence[str]) -> None:
    """A field the customer record is built from must be text, not an object."""
    for name in fields:
        if isinstance(values.get(name), dict | list):
            kind = type(values[name]).__name__
            raise UnusableAnswer(
                f"Utopia sent {part}.{name} as a {kind}, not text: the customer"
                " cannot be created from it. Ask Utopia to correct the order."
            )


def storable_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {storable(str(k)): storable_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable_values(item) for item in value]
    return storable(value) if isinstance(value, str) else value


def apply_utopia_data(order: Order, data: dict[str, Any]) -> None:
    """Keep the answer on the order and copy out what staff search by."""
    copy_utopia_data(order, data)
    order.save()


def copy_utopia_data(order: Order, data: dict[str, Any]) -> None:
    """Set the answer and the fields copied out of it on order, without saving."""
    customer, address = data["customer"], data["address"]
    order.utopia_data = data
    for field_name, value in (
        ("first_name", customer.get("firstname")),
        ("last_name", customer.get("lastname")),
        ("email", customer.get("email")),
        ("phone", customer.get("phone")),
        ("city", address.get("city")),
        ("site_id", address.get("siteid")),
        ("service_plan", ", ".join(product_names(data))),
    ):
        limit = Order._meta.get_field(field_name).max_length
        setattr(order, field_name, text(value)[:limit])


def product_names(data: dict[str, Any]) -> list[str]:
    """The products bought, as Utopia names them; none if orderitems is odd."""
    items = data.get("orderitems")
    if not isinstance(items, list):
        return []
    return [
        text(item.get("description"))
        for item in items
        if isinstance(item, dict) and text(item.get("description"))
    ]


def text(value: object) -> str:
    return "" if value is None else str(value).strip()
