"""Render ticket templates: `{placeholder}` replaced by escaped order values.

Only a brace pair around a bare word is a placeholder, so CSS and other braces
in the HTML pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.html import escape

PLACEHOLDERS = (
    "customer_name",
    "first_name",
    "last_name",
    "order_ref",
    "site_id",
    "email",
    "phone",
    "address",
    "apt",
    "city",
    "state",
    "zip",
    "service_plan",
)
PLACEHOLDER_PATTERN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class UnknownPlaceholderError(ValueError):
    """A template names a placeholder that is not in PLACEHOLDERS."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(f"Unknown placeholder: {braced(names)}")


def braced(names: list[str]) -> str:
    """Return names as staff write them: "{first}, {second}"."""
    return ", ".join(f"{{{name}}}" for name in names)


def unknown_placeholders(text: str) -> list[str]:
    """Return the placeholder names in text that are not known, in order."""
    found = PLACEHOLDER_PATTERN.findall(text)
    return list(dict.fromkeys(name for name in found if name not in PLACEHOLDERS))


def render_text(text: str, values: Mapping[str, str], *, html: bool) -> str:
    """Replace placeholders in text; values are HTML-escaped when html is set."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise UnknownPlaceholderError(unknown)

    def substitute(match: re.Match[str]) -> str:
        value = str(values.get(match.group(1)) or "")
        return escape(value) if html else value

    return PLACEHOLDER_PATTERN.sub(substitute, text)
