"""Client for PowerCode, the ISP's billing and CRM system: legacy API and UAPI."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import requests
import urllib3

from powercode import wire
from powercode.links import customer_page_url as customer_page_url

logger = logging.getLogger(__name__)

GEOCODE_FAILED = 23  # statusCode PowerCode answers when it cannot geocode an address

TAGS_PATH = "customer/tags/customer"
FIND_PATH = "customer/Find"

# Broken connections: worth another try, unlike a malformed URL or bad settings.
_TRANSIENT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)

Params = Mapping[str, object] | Sequence[tuple[str, object]]


class PowerCodeError(Exception):
    """Root of every error the PowerCode client raises."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        status_code: int | None = None,
        api_status: int | None = None,
        may_have_acted: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status_code = status_code
        self.api_status = api_status
        # False only when PowerCode certainly did nothing: it refused, or the
        # request never reached it. A lost or garbled answer may hide a change.
        self.may_have_acted = may_have_acted


class PowerCodeClient:
    """Talk to PowerCode's legacy API and UAPI through one HTTP session."""

    def __init__(
        self,
        api_url: str,
        uapi_url: str,
        api_key: str,
        *,
        verify_ssl: bool = True,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        self.api_url = api_url
        self.uapi_url = uapi_url.rstrip("/")
        self.verify_ssl = verify_ssl
        self.timeout = (connect_timeout, read_timeout)
        self.session = session if session is not None else requests.Session()
        self._api_key = api_key

    def call(self, action: str, **fields: object) -> dict[str, Any]:
        """Send one action to the legacy API and return its successful answer."""
        data = wire.form_fields(fields)
        data.update(apiKey=self._api_key, action=action)
        secrets = [self._api_key, *wire.password_values(data)]

        response = self._send("POST", self.api_url, action, secrets, data=data)
        answer = _decode(response, action, secrets)
        if not isinstance(answer, dict):
            raise PowerCodeError(
                f"PowerCode {action} answered JSON that is not an object",
                transient=False,
                status_code=response.status_code,
            )

        status = _api_status(answer, action)
        if status != 0:
            detail = wire.excerpt(str(answer.get("message", "")), secrets)
            raise PowerCodeError(
                f"PowerCode {action} failed with statusCode {status}: {detail}",
                transient=False,
                status_code=response.status_code,
                api_status=status,
                may_have_acted=False,
            )
        return answer

    def uapi(self, method: str, path: str, params: Params | None = None) -> Any:
        """Send one request to the UAPI and return its "Response" value."""
        what = f"UAPI {method.upper()} {path}"
        token = base64.b64encode(self._api_key.encode()).decode("ascii")
        secrets = [self._api_key, token]
        url = f"{self.uapi_url}/{path.lstrip('/')}"
        headers = {"Authorization": f"Basic {token}"}

        response = self._send(
            method.upper(), url, what, secrets, params=params, headers=headers
        )
        answer = _decode(response, what, secrets)
        if isinstance(answer, dict) and wire.is_success(answer.get("Success")):
            return answer.get("Response")

        detail = wire.excerpt(response.text, secrets)
        raise PowerCodeError(
            f"PowerCode {what} was not successful: {detail}",
            transient=False,
            status_code=response.status_code,
            may_have_acted=False,
        )

    def search_customers(self, text: str) -> list[dict[str, Any]]:
        """Return the customers whose name contains the text."""
        answer = self.call("searchCustomers", searchString=text)
        return wire.records(answer.get("customers"))

    def read_customer(
        self, *, customer_id: str | None = None, ext_account_id: str | None = None
    ) -> dict[str, Any] | None:
        """Return the customer with this id or external account id, or None."""
        if bool(customer_id) == bool(ext_account_id):
            # An empty extAccountID would match every customer that has none.
            raise ValueError("Give exactly one non-empty customer_id or ext_account_id")
        if customer_id:
            fields = {"customerID": customer_id}
        else:
            fields = {"extAccountID": ext_account_id}

        try:
            answer = self.call("readCustomer", **fields)
        except PowerCodeError as err:
            # The legacy API answers a miss with a non-zero statusCode; it has no
            # distinct not-found code, so any statusCode here means "no customer".
            if err.api_status is not None:
                return None
            raise
        customer = wire.customer_from(answer)
        if customer is not None and not wire.answer_id(customer, "customerID"):
            # Not a miss and not a customer: nothing to decide a duplicate by.
            raise PowerCodeError(
                "PowerCode readCustomer answered a record without a customer id",
                transient=False,
                may_have_acted=False,
            )
        return customer

    def create_customer(self, fields: Mapping[str, object]) -> str:
        """Create a customer and return its new id."""
        # A timeout may still have created the customer: callers look it up by
        # extAccountID before sending createCustomer again.
        answer = self.call("createCustomer", **fields)
        return _required_id(answer, "customerID", "createCustomer")

    def add_customer_service(
        self,
        customer_id: str,
        service_id: str,
        *,
        quantity: int = 1,
        prorate: bool = True,
    ) -> dict[str, Any]:
        """Bill a service to a customer."""
        return self.call(
            "addCustomerService",
            customerID=customer_id,
            serviceID=service_id,
            quantity=quantity,
            prorateService=prorate,
        )

    def create_ticket(self, fields: Mapping[str, object]) -> str:
        """Open a ticket and return its id."""
        answer = self.call("createTicket", **fields)
        return _required_id(answer, "ticketID", "createTicket")

    def read_ticket(self, ticket_id: str) -> dict[str, Any]:
        """Return the ticket with this id."""
        answer = self.call("readTicket", ticketID=ticket_id)
        ticket = answer.get("ticket")
        if isinstance(ticket, dict):
            return ticket
        return wire.without_envelope(answer)

    def customer_tags(self, customer_id: str) -> list[dict[str, Any]]:
        """Return the tags a customer has."""
        response = self.uapi("GET", TAGS_PATH, [("customerID", customer_id)])
        return wire.records(response)

    def add_customer_tags(
        self, customer_id: str, tag_ids: Sequence[str | int]
    ) -> list[dict[str, Any]]:
        """Give tags to a customer and return the tags it then has."""
        response = self.uapi("POST", TAGS_PATH, wire.tag_params(customer_id, tag_ids))
        return wire.records(response)

    def remove_customer_tags(
        self, customer_id: str, tag_ids: Sequence[str | int]
    ) -> list[dict[str, Any]]:
        """Take tags off a customer and return the tags it then has."""
        response = self.uapi("DELETE", TAGS_PATH, wire.tag_params(customer_id, tag_ids))
        return wire.records(response)

    def find_customers(self, query: str) -> list[dict[str, Any]]:
        """Return the customers whose name or phone matches the query."""
        return wire.records(self.uapi("GET", FIND_PATH, {"query": query}))

    def _send(
        self, method: str, url: str, what: str, secrets: list[str], **kwargs: Any
    ) -> requests.Response:
        """Send a request and turn transport failures and HTTP errors into ours."""
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, verify=self.verify_ssl, **kwargs
            )
        except requests.RequestException as err:
            transient = isinstance(err, _TRANSIENT_ERRORS)
            message = f"PowerCode {what} failed: {type(err).__name__}"
            raise PowerCodeError(
                message, transient=transient, may_have_acted=not never_sent(err)
            ) from err

        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug(
            "PowerCode %s answered %s in %d ms", what, response.status_code, elapsed_ms
        )
        status = response.status_code
        if 200 <= status < 300:
            return response
        detail = wire.excerpt(response.text, secrets)
        raise PowerCodeError(
            f"PowerCode {what} answered HTTP {status}: {detail}",
            transient=status == 429 or status >= 500,
            status_code=status,
            # A 503 comes from a server that took nothing in; any other server
            # error, a gateway's 502 or 504 included, may follow work done.
            may_have_acted=status >= 500 and status != 503,
        )


def never_sent(err: requests.RequestException) -> bool:
    """True when the request cannot have reached PowerCode (no connection)."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return isinstance(err, requests.ConnectionError) and isinstance(
        reason, urllib3.exceptions.NewConnectionError
    )


def _decode(response: requests.Response, what: str, secrets: list[str]) -> Any:
    """Return the JSON of an answer, or raise a permanent error."""
    try:
        return response.json()
    except (ValueError, RecursionError) as err:  # RecursionError: absurd nesting
        detail = wire.excerpt(response.text, secrets)
        raise PowerCodeError(
            f"PowerCode {what} answered non-JSON: {detail}",
            transient=False,
            status_code=response.status_code,
        ) from err


def _api_status(answer: Mapping[str, Any], action: str) -> int:
    """Return the answer's statusCode as an int."""
    # Some answers (searchCustomers among them) may carry no statusCode at all.
    raw = answer.get("statusCode", 0)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise PowerCodeError(
            f"PowerCode {action} answered an unreadable statusCode", transient=False
        ) from None


def _required_id(answer: Mapping[str, Any], key: str, action: str) -> str:
    """Return the id an answer names under key, or raise a permanent error."""
    value = wire.answer_id(answer, key)
    if value is None:
        message = f"PowerCode {action} answered without {key}"
        raise PowerCodeError(message, transient=False)
    return value
