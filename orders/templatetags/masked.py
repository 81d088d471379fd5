"""The `masked` filter: stored text shown to staff with secrets masked again."""

from __future__ import annotations

from django import template

from uac.masking import mask_text

register = template.Library()


@register.filter
def masked(value: object) -> str:
    """Replace any configured secret left in the text; the last net on a page."""
    return mask_text(str(value)) if value is not None else ""
