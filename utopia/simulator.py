"""An in-memory stand-in for the Utopia API, for the demo and for tests.

It answers the ``/spquery/`` endpoints the way the real service does: every
request is a POST of a JSON object holding ``apikey``, answers are JSON, errors
mostly come back as HTTP 200 with an ``error`` key, and the contract is a PDF.
Serve it over HTTP with :func:`uac.wsgi_server.serve_in_thread` and
:meth:`UtopiaSimulator.wsgi_app`, or plug :meth:`UtopiaSimulator.responses_callback`
into the ``responses`` library.

Utopia's customer and site endpoints are only loosely known, so their answers
here are small and plausible rather than faithful. A customer's id (``cid``) is
the order's or its customer's ``cid`` when present, otherwise the orderref.
"""

from __future__ import annotations

import copy
import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from utopia.client import NO_RECORDS_MESSAGE
from utopia.contract_pdf import build_contract_pdf

INVALID_KEY_MESSAGE = "Invalid API key"
JSON_TYPE = "application/json"
PDF_TYPE = "application/pdf"
ORDER_FILTERS = ("status", "siteid", "orderref")

Answer = tuple[int, str, bytes]
Fields = dict[str, Any]
StartResponse = Callable[..., object]


class UtopiaSimulator:
    """Answer Utopia API requests from orders kept in memory."""

    def __init__(
        self, orders: Iterable[dict[str, Any]] = (), *, api_key: str, delay: float = 0.0
    ) -> None:
        self.api_key = api_key
        self.delay = delay
        self.calls: list[tuple[str, Fields]] = []
        self._orders: dict[str, dict[str, Any]] = {}
        self._scripted: deque[Answer] = deque()
        # Threaded HTTP servers call handle() from several threads at once.
        self._lock = threading.Lock()
        self._routes: dict[str, Callable[[Fields], Answer]] = {
            "/spquery/contractlookup": self._contract_lookup,
            "/spquery/contractdownload": self._contract_download,
            "/spquery/orders": self._list_orders,
            "/spquery/products": self._products,
            "/spquery/customer": self._customer,
            "/spquery/service": self._service,
            "/spquery/checkaccess": self._check_access,
        }
        for order in orders:
            self.add_order(order)

    @classmethod
    def from_sample_file(
        cls, path: str | Path, *, api_key: str, delay: float = 0.0
    ) -> UtopiaSimulator:
        """Build a simulator from the "utopia_orders" list of a JSON file."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["utopia_orders"], api_key=api_key, delay=delay)

    def add_order(self, order: dict[str, Any]) -> None:
        """Store a contract-lookup answer, replacing one with the same orderref."""
        orderref = _text(order.get("orderref"))
        if not orderref:
            raise ValueError("a simulated order needs an orderref")
        with self._lock:
            self._orders[orderref] = copy.deepcopy(order)

    def fail_next(self, count: int = 1, *, status: int = 503) -> None:
        """Make the next ``count`` requests answer with HTTP ``status``."""
        answer = _json_answer({"error": f"Simulated HTTP {status}"}, status)
        with self._lock:
            self._scripted.extend([answer] * count)

    def answer_error_next(self, message: str, count: int = 1) -> None:
        """Make the next ``count`` requests answer HTTP 200 with ``message``."""
        answer = _json_answer({"error": message})
        with self._lock:
            self._scripted.extend([answer] * count)

    def handle(self, path: str, body: bytes) -> Answer:
        """Answer one POST as (HTTP status, content type, body)."""
        endpoint = _endpoint(path)
        fields = _parse_fields(body)
        with self._lock:
            recorded = {k: v for k, v in (fields or {}).items() if k != "apikey"}
            self.calls.append((endpoint, recorded))
            scripted = self._scripted.popleft() if self._scripted else None

        if self.delay > 0:
            time.sleep(self.delay)
        if scripted is not None:
            return scripted

        handler = self._routes.get(endpoint)
        if handler is None:
            return _json_answer({"error": f"Unknown path {endpoint}"}, 404)
        if fields is None:
            return _json_answer({"error": "Request body is not a JSON object"}, 400)
        if not self._key_matches(fields.get("apikey")):
            return _json_answer({"error": INVALID_KEY_MESSAGE})
        with self._lock:
            return handler(fields)

    def responses_callback(
        self, request: requests.PreparedRequest
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer a request intercepted by ``responses.add_callback``."""
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        status, content_type, payload = self.handle(
            urlsplit(request.url or "").path, body
        )
        return status, {"Content-Type": content_type}, payload

    def wsgi_app(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Serve the simulator as a WSGI application that accepts only POST."""
        headers = []
        if environ.get("REQUEST_METHOD") == "POST":
            body = _read_wsgi_body(environ)
            status, content_type, payload = self.handle(environ["PATH_INFO"], body)
        else:
            headers.append(("Allow", "POST"))
            error = {"error": "Method not allowed"}
            status, content_type, payload = _json_answer(error, 405)

        headers += [
            ("Content-Type", content_type),
            ("Content-Length", str(len(payload))),
        ]
        start_response(f"{status} {_reason(status)}", headers)
        return [payload]

    def _key_matches(self, apikey: object) -> bool:
        if not isinstance(apikey, str):
            return False
        return hmac.compare_digest(apikey.encode(), self.api_key.encode())

    def _find(self, field: str, value: str) -> dict[str, Any] | None:
        """Return the first stored order whose ``field`` equals ``value``."""
        lookups = {"siteid": _siteid, "cid": _cid}
        for order in self._orders.values():
            if value and lookups[field](order) == value:
                return order
        return None

    def _contract_lookup(self, fields: Fields) -> Answer:
        order = self._orders.get(_text(fields.get("orderref")))
        if order is None:
            return _no_records()
        return _json_answer(copy.deepcopy(order))

    def _contract_download(self, fields: Fields) -> Answer:
        orderref = _text(fields.get("orderref"))
        if orderref not in self._orders:
            return _no_records()
        return 200, PDF_TYPE, build_contract_pdf(orderref)

    def _list_orders(self, fields: Fields) -> Answer:
        wanted = {
            key: _text(fields[key])
            for key in ORDER_FILTERS
            if fields.get(key) is not None
        }
        found = [o for o in self._orders.values() if _order_matches(o, wanted)]
        return _json_answer(copy.deepcopy(found))

    def _products(self, fields: Fields) -> Answer:
        # dict.fromkeys keeps each description once, in order of first sight.
        names = dict.fromkeys(d for o in self._orders.values() for d in _products(o))
        return _json_answer([{"description": name} for name in names])

    def _customer(self, fields: Fields) -> Answer:
        order = self._find("cid", _text(fields.get("cid")))
        if order is None:
            return _no_records()
        customer = copy.deepcopy(order.get("customer") or {})
        return _json_answer({**customer, "cid": _cid(order), "siteid": _siteid(order)})

    def _service(self, fields: Fields) -> Answer:
        order = self._find("siteid", _text(fields.get("siteid")))
        if order is None:
            return _no_records()
        return _json_answer(
            {
                "siteid": _siteid(order),
                "status": order.get("status"),
                "address": copy.deepcopy(order.get("address") or {}),
                "products": _products(order),
            }
        )

    def _check_access(self, fields: Fields) -> Answer:
        order = self._find("siteid", _text(fields.get("siteid"))) or self._find(
            "cid", _text(fields.get("clientid"))
        )
        if order is None:
            return _no_records()
        return _json_answer(
            {"access": True, "siteid": _siteid(order), "cid": _cid(order)}
        )


def _json_answer(answer: object, status: int = 200) -> Answer:
    return status, JSON_TYPE, json.dumps(answer, ensure_ascii=False).encode("utf-8")


def _no_records() -> Answer:
    return _json_answer({"error": NO_RECORDS_MESSAGE})


def _endpoint(path: str) -> str:
    """Reduce a request path to ``/spquery/<name>``, ignoring any base prefix."""
    path = path.split("?", 1)[0].rstrip("/")
    start = path.find("/spquery/")
    return path[start:] if start >= 0 else path or "/"


def _parse_fields(body: bytes) -> Fields | None:
    """Decode the body as a JSON object, whatever the Content-Type says."""
    try:
        fields = json.loads(body)
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def _read_wsgi_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _text(value: object) -> str:
    """Compare values as trimmed text, since Utopia sends numbers as strings."""
    return "" if value is None else str(value).strip()


def _siteid(order: dict[str, Any]) -> str:
    return _text((order.get("address") or {}).get("siteid"))


def _cid(order: dict[str, Any]) -> str:
    customer = order.get("customer") or {}
    return _text(order.get("cid") or customer.get("cid") or order.get("orderref"))


def _products(order: dict[str, Any]) -> list[str]:
    items = order.get("orderitems") or []
    return [
        _text(i["description"])
        for i in items
        if isinstance(i, dict) and i.get("description")
    ]


def _order_matches(order: dict[str, Any], wanted: dict[str, str]) -> bool:
    actual = {
        "status": _text(order.get("status")),
        "siteid": _siteid(order),
        "orderref": _text(order.get("orderref")),
    }
    return all(actual[key] == value for key, value in wanted.items())
