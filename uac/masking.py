"""Keep secrets out of logs, the step journal, stored deliveries and pages.

Two nets: values under secret-looking keys are replaced wherever data is stored,
and the configured secret values themselves are replaced in any text.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from functools import cache
from typing import Any

from django.conf import settings

MASK = "********"
SECRET_KEY_PATTERN = re.compile(
    r"api[_-]?key|apikey|password|secret|token|authorization|cookie|signature",
    re.IGNORECASE,
)


@cache
def configured_secrets() -> tuple[str, ...]:
    """Return the secret values from settings, longest first."""
    values = {
        str(getattr(settings, name, "") or "") for name in settings.SECRET_SETTING_NAMES
    }
    return tuple(sorted((v for v in values if len(v) >= 4), key=len, reverse=True))


# A query parameter with a secret's name, in a logged request line or URL: its
# value is hidden even when it is not the configured one (a wrong or old token).
SECRET_QUERY_PARAMETER = re.compile(
    r"([?&](?:token|api[_-]?key|apikey|password|secret)=)[^&\s\"']+", re.IGNORECASE
)


def mask_text(text: str) -> str:
    """Replace every configured secret value found in text, and secret parameters."""
    for secret in configured_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    if "=" in text:
        text = SECRET_QUERY_PARAMETER.sub(rf"\g<1>{MASK}", text)
    return text


def mask_secrets(value: Any) -> Any:
    """Return a copy of value with secret keys and secret values masked."""
    if isinstance(value, dict):
        return {
            key: MASK if is_secret_key(key) and item else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(SECRET_KEY_PATTERN.search(key))


TRACEBACK_FORMATTER = logging.Formatter()


class SecretMaskingFilter(logging.Filter):
    """Mask configured secrets in a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not configured_secrets():
            return True
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # An exception's message may quote a request; the formatter would
            # print the traceback unmasked, so it is formatted and masked here.
            record.exc_text = mask_text(
                TRACEBACK_FORMATTER.formatException(record.exc_info)
            )
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
