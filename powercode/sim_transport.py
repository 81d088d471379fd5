"""Carry HTTP requests to the PowerCode simulator from `responses` or from WSGI."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

Handler = Callable[[str, str, str, Mapping[str, str], bytes], tuple[int, str, bytes]]


def answer_prepared_request(
    handle: Handler, request: requests.PreparedRequest
) -> tuple[int, dict[str, str], bytes]:
    """Answer a request that `responses` intercepted."""
    parts = urlsplit(request.url or "")
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")

    method = request.method or "GET"
    status, content_type, payload = handle(
        method, parts.path, parts.query, dict(request.headers), body
    )
    return status, {"Content-Type": content_type}, payload


def answer_wsgi(
    handle: Handler, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """Answer a request that a WSGI server received."""
    headers = {
        name[5:].replace("_", "-").title(): value
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""

    status, content_type, payload = handle(
        environ["REQUEST_METHOD"],
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        headers,
        body,
    )
    response_headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(payload))),
    ]
    start_response(f"{status} {_reason(status)}", response_headers)
    return [payload]


def _reason(status: int) -> str:
    """Return the reason phrase of an HTTP status, even an unusual one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def parse_form(text: str) -> dict[str, str]:
    """Return form fields, keeping the last value of a repeated one."""
    parsed = parse_qs(text, keep_blank_values=True)
    return {name: values[-1] for name, values in parsed.items()}


def parse_query(text: str) -> dict[str, Any]:
    """Return query parameters: lists for names ending in "[]", else the last value."""
    parsed = parse_qs(text, keep_blank_values=True)
    return {
        name: values if name.endswith("[]") else values[-1]
        for name, values in parsed.items()
    }


def has_basic_key(headers: Mapping[str, str], api_key: str) -> bool:
    """Tell whether the Authorization header is Basic with the key alone."""
    given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    token = base64.b64encode(api_key.encode("utf-8")).decode("ascii")
    return same_secret(given, f"Basic {token}")


def same_secret(given: str, expected: str) -> bool:
    """Compare secrets in constant time."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
