"""Text that every database we run on will store."""

from __future__ import annotations


def storable(text: str) -> str:
    """Replace what databases refuse: NUL characters and lone surrogates."""
    # JSON may carry "\ud800" escapes that no UTF-8 database accepts.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\ufffd")
