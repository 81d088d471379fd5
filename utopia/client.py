"""Client for the Utopia Fiber service-provider API (the ``/spquery/`` endpoints).

Every request is a ``POST`` of a JSON string holding the API key, and goes
through :meth:`UtopiaClient.call`, which owns the timeout and turns every
failure into :class:`UtopiaError`. Utopia reports most errors as HTTP 200 with
a JSON ``error`` key, so the status code alone never tells success.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import requests

logger = logging.getLogger(__name__)

NO_RECORDS_MESSAGE = "No valid records found for this ISP"

EXCERPT_LENGTH = 200
PDF_MAGIC = b"%PDF-"

# Failures on the way to Utopia or back, where a later attempt may succeed.
TRANSIENT_TRANSPORT_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


class UtopiaError(Exception):
    """Root of every error the Utopia client raises."""

    def __init__(
        self, message: str, *, transient: bool, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status_code = status_code

    @property
    def routine(self) -> bool:
        """Tell whether this is the everyday "no records for this ISP" answer."""
        return self.message.strip().casefold() == NO_RECORDS_MESSAGE.casefold()


class UtopiaClient:
    """Talk to the Utopia API with one session and one timeout policy."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url or not api_key:
            raise ValueError("UtopiaClient needs a base_url and an api_key")

        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self._api_key = api_key
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()

    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> UtopiaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, path: str, /, **fields: object) -> Any:
        """Send ``fields`` to one Utopia endpoint and return its decoded answer.

        ``path`` is the endpoint name below ``/spquery/``, such as
        ``"contractlookup"``; surrounding slashes are ignored. Fields whose value
        is None are left out. The answer is the decoded JSON, or the raw bytes
        when Utopia sends a PDF.
        """
        name = path.strip("/")
        present = {key: value for key, value in fields.items() if value is not None}
        body = json.dumps({"apikey": self._api_key, **present})

        started = time.monotonic()
        try:
            response = self.session.post(
                f"{self.base_url}/spquery/{name}",
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as err:
            logger.debug("Utopia %s failed after %d ms", name, _elapsed_ms(started))
            raise _transport_error(name, err) from err

        logger.debug(
            "Utopia %s answered HTTP %s in %d ms",
            name,
            response.status_code,
            _elapsed_ms(started),
        )
        return self._decode(name, response)

    def contract_lookup(self, orderref: str) -> dict[str, Any]:
        """Fetch the order and contract details of one order reference."""
        answer = self.call("contractlookup", orderref=orderref)
        if not isinstance(answer, dict):
            raise UtopiaError(
                "Utopia contract lookup answer is not a JSON object", transient=False
            )
        return answer

    def contract_download(self, orderref: str) -> bytes:
        """Download the signed contract of one order as PDF bytes."""
        answer = self.call("contractdownload", orderref=orderref)
        if not isinstance(answer, bytes):
            raise UtopiaError(
                "Utopia contract download answer is not a PDF", transient=False
            )
        return answer

    def orders(
        self,
        *,
        status: str | None = None,
        siteid: str | None = None,
        orderref: str | None = None,
    ) -> Any:
        """List this provider's orders, optionally filtered."""
        return self.call("orders", status=status, siteid=siteid, orderref=orderref)

    def products(self) -> Any:
        """List this provider's products."""
        return self.call("products")

    def customer(self, cid: str) -> Any:
        """Fetch one Utopia customer by customer id."""
        return self.call("customer", cid=cid)

    def service(self, siteid: str) -> Any:
        """Fetch the service details of one site."""
        return self.call("service", siteid=siteid)

    def check_access(
        self, *, siteid: str | None = None, clientid: str | None = None
    ) -> Any:
        """Ask whether this provider may see a site or a client."""
        if siteid is None and clientid is None:
            raise ValueError("check_access needs a siteid or a clientid")
        return self.call("checkaccess", siteid=siteid, clientid=clientid)

    def _decode(self, name: str, response: requests.Response) -> Any:
        status = response.status_code
        if status >= 400:
            excerpt = self._excerpt(response.text)
            raise UtopiaError(
                f"Utopia answered {name} with HTTP {status}: {excerpt}",
                transient=status == 429 or status >= 500,
                status_code=status,
            )
        if _is_pdf(response):
            return response.content

        try:
            answer = response.json()
        except (ValueError, RecursionError) as err:  # RecursionError: absurd nesting
            excerpt = self._excerpt(response.text)
            raise UtopiaError(
                f"Utopia answered {name} with a body that is not JSON: {excerpt}",
                transient=False,
                status_code=status,
            ) from err

        # An empty or null "error" beside a real answer is not an error.
        if isinstance(answer, dict) and answer.get("error"):
            message = self._excerpt(str(answer["error"]))
            raise UtopiaError(message, transient=False, status_code=status)
        return answer

    def _excerpt(self, text: str) -> str:
        """Shorten upstream text for an error message, hiding the API key."""
        flat = " ".join(text.split()).replace(self._api_key, "[redacted]")
        if len(flat) > EXCERPT_LENGTH:
            return flat[:EXCERPT_LENGTH] + "..."
        return flat or "(empty body)"


def _transport_error(name: str, err: requests.RequestException) -> UtopiaError:
    # ConnectTimeout is both a Timeout and a ConnectionError: test Timeout first.
    if isinstance(err, requests.Timeout):
        message = f"Utopia did not answer {name} in time"
    elif isinstance(err, requests.ConnectionError):
        message = f"Could not connect to Utopia for {name}"
    else:
        message = f"Utopia {name} request failed ({type(err).__name__})"
    transient = isinstance(err, TRANSIENT_TRANSPORT_ERRORS)
    return UtopiaError(message, transient=transient)


def _is_pdf(response: requests.Response) -> bool:
    content = response.content.lstrip()
    if content.startswith(PDF_MAGIC):
        return True
    # Trust the header only when the body is not the JSON error it may carry.
    content_type = response.headers.get("Content-Type", "")
    return content_type.startswith("application/pdf") and content[:1] not in (
        b"",
        b"{",
    )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
