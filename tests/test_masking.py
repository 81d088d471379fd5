from __future__ import annotations

import logging
import sys

from django.conf import settings

from uac.masking import MASK, SecretMaskingFilter, mask_secrets, mask_text


def formatted(record: logging.LogRecord) -> str:
    SecretMaskingFilter().filter(record)
    return logging.Formatter("%(message)s").format(record)


def make_record(msg: str, args: tuple = (), exc_info: object = None):
    return logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_secret_in_a_log_message_or_its_arguments_is_masked() -> None:
    key = settings.PC_API_KEY

    assert formatted(make_record(f"key {key}")) == f"key {MASK}"
    assert formatted(make_record("key %s", (key,))) == f"key {MASK}"


def test_secret_in_a_logged_traceback_is_masked() -> None:
    password = settings.CUSTOMER_PORTAL_PASSWORD
    try:
        raise ValueError(f"refused customerPortalPassword={password}")
    except ValueError:
        record = make_record("create failed", exc_info=sys.exc_info())

    text = formatted(record)

    assert "ValueError: refused customerPortalPassword=" in text
    assert password not in text
    assert MASK in text


def test_secret_keys_and_values_are_masked_in_stored_data() -> None:
    data = {
        "apikey": "anything",
        "fields": [{"note": f"uses {settings.UTOPIA_API_KEY}"}],
        "Authorization": "Basic abc",
        "plain": "kept",
    }

    assert mask_secrets(data) == {
        "apikey": MASK,
        "fields": [{"note": f"uses {MASK}"}],
        "Authorization": MASK,
        "plain": "kept",
    }


def test_a_wrong_token_in_a_logged_request_line_is_hidden_too():
    line = '"POST /api-callback?token=almost-right&x=1 HTTP/1.1" 401'

    assert mask_text(line) == '"POST /api-callback?token=********&x=1 HTTP/1.1" 401'
