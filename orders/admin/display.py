"""Stored JSON shown readably to staff: nested tables and indented text.

Everything shown is masked again on the way out: what is stored is masked
already, but a page is the last place a secret could leak from.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from uac.masking import mask_secrets, mask_text

EMPTY = "-"


def data_table(value: Any) -> SafeString:
    """Render JSON data as nested tables: objects by key, lists of objects by row."""
    return render_value(mask_secrets(value))


def render_value(value: Any) -> SafeString:
    if isinstance(value, dict):
        return render_object(value)
    if isinstance(value, list):
        return render_list(value)
    if value is None or value == "":
        return format_html('<span class="quiet">{}</span>', EMPTY)
    return format_html("{}", value)


def render_object(value: dict[str, Any]) -> SafeString:
    if not value:
        return format_html('<span class="quiet">{}</span>', EMPTY)
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((key, render_value(item)) for key, item in value.items()),
    )
    return format_html('<table class="uac-data">{}</table>', rows)


def render_list(value: list[Any]) -> SafeString:
    if not value:
        return format_html('<span class="quiet">{}</span>', EMPTY)
    if all(isinstance(item, dict) for item in value):
        return render_rows(value)
    items = format_html_join("", "<li>{}</li>", ((render_value(i),) for i in value))
    return format_html('<ul class="uac-data">{}</ul>', items)


def render_rows(rows: list[dict[str, Any]]) -> SafeString:
    """A list of like objects (order items) as one table with a column per key."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in columns))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "", "<td>{}</td>", ((render_value(row.get(c)),) for c in columns)
                ),
            )
            for row in rows
        ),
    )
    return format_html(
        '<table class="uac-data"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        head,
        body,
    )


def pretty_json(value: Any) -> str:
    """Indented JSON text with secrets masked, for a <pre> block."""
    return json.dumps(mask_secrets(value), indent=2, ensure_ascii=False, default=str)


def pretty_body(body: str) -> str:
    """A delivery's raw body: indented if it is JSON, else as it came."""
    try:
        return pretty_json(json.loads(body))
    except ValueError:
        return mask_text(body)


def preformatted(text: str) -> SafeString:
    if not text:
        return format_html('<span class="quiet">{}</span>', EMPTY)
    return format_html('<pre class="uac-pre">{}</pre>', text)


def order_link(order_id: int | None, orderref: str, missing: str = "-") -> str:
    """The orderref linked to its order's page; the bare text without an order."""
    if order_id is None:
        return orderref or missing
    url = reverse("admin:orders_order_change", args=[order_id])
    return format_html('<a href="{}">{}</a>', url, orderref)
