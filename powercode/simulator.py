"""A stand-in for PowerCode's legacy API and UAPI, for the demo and the tests.

It keeps everything in memory, answers the actions and UAPI paths the client uses,
and can be told to fail: an ungeocodable street, or the next calls of an action.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from powercode.client import FIND_PATH, GEOCODE_FAILED, TAGS_PATH
from powercode.sim_pages import (
    CUSTOMER_PAGE,
    HTML_TYPE,
    customer_page,
    not_found_page,
)
from powercode.sim_records import (
    REQUIRED_CUSTOMER_FIELDS,
    customer_record,
    find_customers,
    name_matches,
    next_customer_id,
    summary,
)
from powercode.sim_transport import (
    answer_prepared_request,
    answer_wsgi,
    has_basic_key,
    parse_form,
    parse_query,
    same_secret,
)

# Only GEOCODE_FAILED is a code PowerCode is known to send; the legacy API documents
# no codes for the other cases, so these are the simulator's own picks.
INVALID_KEY = 1
NOT_FOUND = 2
INVALID_FIELD = 3
UNKNOWN_ACTION = 4

JSON_TYPE = "application/json"

Answer = tuple[int, dict[str, Any]]  # HTTP status and the JSON body
Fields = dict[str, str]


@dataclass(frozen=True)
class _Fault:
    status: int
    api_status: int | None
    message: str


class PowerCodeSimulator:
    """Answer PowerCode's legacy API and UAPI from in-memory records."""

    def __init__(
        self,
        customers: Iterable[dict[str, Any]] = (),
        *,
        api_key: str,
        delay: float = 0.0,
        api_path: str = "/api/1/index.php",
        uapi_prefix: str = "/uapi",
        staff_path: str = "/index.php",
    ) -> None:
        self.customers = {str(c["CustomerID"]): dict(c) for c in customers}
        self.services: dict[str, list[dict[str, str]]] = {}
        self.tickets: dict[str, dict[str, str]] = {}
        self.tags: dict[str, set[int]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.delay = delay
        self.ungeocodable_streets: set[str] = set()
        self.api_path = api_path
        self.uapi_prefix = uapi_prefix.rstrip("/")
        # Where staff pages are: `customer_page_url` links here with `page=...`.
        self.staff_path = staff_path
        self._api_key = api_key
        self._faults: dict[str, list[_Fault]] = {}
        self._next_ticket = 1
        # Requests arrive on several server threads; one lock keeps records whole.
        self._lock = threading.Lock()

    @classmethod
    def from_sample_file(
        cls, path: str | Path, *, api_key: str, delay: float = 0.0
    ) -> PowerCodeSimulator:
        """Build a simulator holding the customers of a sample orders file."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        customers = data.get("powercode_customers", [])
        return cls(customers, api_key=api_key, delay=delay)

    def fail_next(
        self,
        action: str,
        *,
        count: int = 1,
        status: int = 503,
        api_status: int | None = None,
        message: str = "Simulated failure",
    ) -> None:
        """Make the next calls of an action ("tags", "find" for UAPI) fail."""
        fault = _Fault(status, api_status, message)
        with self._lock:
            self._faults.setdefault(action, []).extend([fault] * count)

    def recover(self) -> None:
        """Answer normally again: drop the failures still waiting."""
        with self._lock:
            self._faults.clear()

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[int, str, bytes]:
        """Answer one HTTP request as PowerCode would."""
        method = method.upper()
        with self._lock:
            if path == self.staff_path:
                status, payload = self._staff_page(method, query)
                content_type = HTML_TYPE
            else:
                status, answer = self._api(method, path, query, headers, body)
                content_type, payload = JSON_TYPE, json.dumps(answer).encode("utf-8")

        # Sleep after the work is done: a slow answer to a request that did succeed.
        if self.delay > 0:
            time.sleep(self.delay)
        return status, content_type, payload

    def _api(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        uapi_start = self.uapi_prefix + "/"
        if path == self.api_path:
            return self._legacy(method, body)
        if path.startswith(uapi_start):
            route = path[len(uapi_start) :].rstrip("/")
            return self._uapi(method, route, query, headers)
        self.calls.append((f"{method} {path}", {}))
        return 404, _uapi_error("Not found")

    def responses_callback(
        self, request: requests.PreparedRequest
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer a request intercepted by `responses.add_callback`."""
        return answer_prepared_request(self.handle, request)

    def wsgi_app(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Answer a request as a WSGI application."""
        return answer_wsgi(self.handle, environ, start_response)

    def _staff_page(self, method: str, query: str) -> tuple[int, bytes]:
        """Answer a browser opening a PowerCode staff page: only customer pages."""
        params = parse_query(query)
        customer_id = str(params.get("customerid", ""))
        self.calls.append((f"PAGE {method}", params))
        if method != "GET":
            return 405, not_found_page("The simulator's pages answer GET only.")
        if params.get("page") != CUSTOMER_PAGE:
            page = params.get("page", "")
            return 404, not_found_page(f"The simulator has no page “{page}”.")
        customer = self.customers.get(customer_id)
        if customer is None:
            message = f"The simulator has no customer #{customer_id}."
            return 404, not_found_page(message)
        tickets = [
            (ticket_id, fields)
            for ticket_id, fields in self.tickets.items()
            if fields.get("customerID") == customer_id
        ]
        page = customer_page(
            customer,
            self.services.get(customer_id, []),
            self.tags.get(customer_id, set()),
            tickets,
        )
        return 200, page

    def _take_fault(self, action: str) -> _Fault | None:
        queue = self._faults.get(action)
        return queue.pop(0) if queue else None

    def _legacy(self, method: str, body: bytes) -> Answer:
        fields = parse_form(body.decode("utf-8", "replace"))
        action = fields.pop("action", "")
        api_key = fields.pop("apiKey", "")
        self.calls.append((action, dict(fields)))

        if method != "POST":
            return 405, _status(UNKNOWN_ACTION, "Method not allowed")
        fault = self._take_fault(action)
        if fault is not None:
            if fault.api_status is None:
                return fault.status, {"message": fault.message}
            return 200, _status(fault.api_status, fault.message)

        if not same_secret(api_key, self._api_key):
            return 200, _status(INVALID_KEY, "Invalid API key")
        handlers: dict[str, Callable[[Fields], dict[str, Any]]] = {
            "searchCustomers": self._search_customers,
            "readCustomer": self._read_customer,
            "createCustomer": self._create_customer,
            "addCustomerService": self._add_customer_service,
            "createTicket": self._create_ticket,
            "readTicket": self._read_ticket,
        }
        handler = handlers.get(action)
        if handler is None:
            return 200, _status(UNKNOWN_ACTION, "Unknown action")
        return 200, handler(fields)

    def _search_customers(self, fields: Fields) -> dict[str, Any]:
        text = fields.get("searchString", "")
        found = [summary(c) for c in self.customers.values() if name_matches(c, text)]
        return {"statusCode": 0, "message": "", "customers": found}

    def _read_customer(self, fields: Fields) -> dict[str, Any]:
        customer = self._find_customer(fields)
        if customer is None:
            return _status(NOT_FOUND, "Customer not found")
        shown = {k: v for k, v in customer.items() if "password" not in k.lower()}
        return {"statusCode": 0, "message": "", "customer": shown}

    def _find_customer(self, fields: Fields) -> dict[str, Any] | None:
        if fields.get("customerID"):
            return self.customers.get(fields["customerID"])
        # An empty extAccountID names no one, though many customers have none.
        ext_id = fields.get("extAccountID")
        customers = self.customers.values()
        found = (c for c in customers if ext_id and c.get("ExtAccountID") == ext_id)
        return next(found, None)

    def _create_customer(self, fields: Fields) -> dict[str, Any]:
        missing = [name for name in REQUIRED_CUSTOMER_FIELDS if not fields.get(name)]
        if missing:
            return _status(INVALID_FIELD, f"Missing required field: {missing[0]}")
        state = fields["physicalState"]
        if len(state) != 2 or not state.isalpha():
            return _status(INVALID_FIELD, "physicalState must be a two-letter code")

        geocode = fields.get("physicalAutomaticallyGeocode") == "1"
        if geocode and self._ungeocodable(fields["physicalStreet"]):
            return _status(GEOCODE_FAILED, "Unable to geocode the physical address")

        customer_id = next_customer_id(self.customers)
        self.customers[customer_id] = customer_record(customer_id, fields)
        return {"customerID": customer_id, **_status(0, "Customer created")}

    def _ungeocodable(self, street: str) -> bool:
        streets = {s.strip().lower() for s in self.ungeocodable_streets}
        return street.strip().lower() in streets

    def _add_customer_service(self, fields: Fields) -> dict[str, Any]:
        customer_id = fields.get("customerID", "")
        if customer_id not in self.customers:
            return _status(NOT_FOUND, "Customer not found")
        if not fields.get("serviceID"):
            return _status(INVALID_FIELD, "Missing required field: serviceID")

        service = {
            "serviceID": fields["serviceID"],
            "quantity": fields.get("quantity", "1"),
            "prorateService": fields.get("prorateService", "1"),
        }
        self.services.setdefault(customer_id, []).append(service)
        return _status(0, "Service added")

    def _create_ticket(self, fields: Fields) -> dict[str, Any]:
        if fields.get("customerID", "") not in self.customers:
            return _status(NOT_FOUND, "Customer not found")
        ticket_id = str(self._next_ticket)
        self._next_ticket += 1
        self.tickets[ticket_id] = dict(fields)
        return {"ticketID": ticket_id, "statusCode": 0, "message": "Ticket created"}

    def _read_ticket(self, fields: Fields) -> dict[str, Any]:
        ticket_id = fields.get("ticketID", "")
        if ticket_id not in self.tickets:
            return _status(NOT_FOUND, "Ticket not found")
        ticket = {"TicketID": ticket_id, **self.tickets[ticket_id]}
        return {"statusCode": 0, "message": "", "ticket": ticket}

    def _uapi(
        self, method: str, route: str, query: str, headers: Mapping[str, str]
    ) -> Answer:
        params = parse_query(query)
        self.calls.append((f"UAPI {method} {route}", params))
        action = {TAGS_PATH: "tags", FIND_PATH: "find"}.get(route)
        if action is None:
            return 404, _uapi_error("Not found")

        fault = self._take_fault(action)
        if fault is not None:
            if fault.api_status is None:
                return fault.status, _uapi_error(fault.message)
            return 200, {**_uapi_error(fault.message), "statusCode": fault.api_status}
        if not has_basic_key(headers, self._api_key):
            return 401, _uapi_error("Unauthorized")

        if action == "tags":
            return self._customer_tags(method, params)
        if method != "GET":
            return 405, _uapi_error("Method not allowed")
        found = find_customers(self.customers.values(), params.get("query", ""))
        return 200, {"Success": True, "Response": found}

    def _customer_tags(self, method: str, params: dict[str, Any]) -> Answer:
        customer_id = params.get("customerID", "")
        if customer_id not in self.customers:
            return 200, _uapi_error("Customer not found")
        try:
            tag_ids = {int(tag) for tag in params.get("tags[]", [])}
        except ValueError:
            return 200, _uapi_error("Tag ids must be numbers")

        current = set(self.tags.get(customer_id, ()))
        if method == "POST":
            self.tags[customer_id] = current = current | tag_ids
        elif method == "DELETE":
            self.tags[customer_id] = current = current - tag_ids
        elif method != "GET":
            return 405, _uapi_error("Method not allowed")
        listed = [{"TagID": tag, "TagName": f"Tag {tag}"} for tag in sorted(current)]
        return 200, {"Success": True, "Response": listed}


def _status(code: int, message: str) -> dict[str, Any]:
    return {"statusCode": code, "message": message}


def _uapi_error(message: str) -> dict[str, Any]:
    return {"Success": False, "Message": message}
