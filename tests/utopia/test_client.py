"""The Utopia client, with HTTP faked at the session by ``responses``."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
import responses

from tests.utopia.conftest import API_KEY, BASE_URL
from utopia.client import NO_RECORDS_MESSAGE, UtopiaClient, UtopiaError

LOOKUP_URL = f"{BASE_URL}/spquery/contractlookup"
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def sent_body(index: int = 0) -> dict[str, Any]:
    return json.loads(responses.calls[index].request.body)


def lookup_error(client: UtopiaClient) -> UtopiaError:
    with pytest.raises(UtopiaError) as caught:
        client.contract_lookup("UIA202512-000417")
    return caught.value


@responses.activate
def test_call_posts_key_and_fields_as_json(client: UtopiaClient) -> None:
    responses.post(LOOKUP_URL, json={"orderref": "UIA202512-000417"})

    client.contract_lookup("UIA202512-000417")

    request = responses.calls[0].request
    assert request.method == "POST"
    assert request.url == LOOKUP_URL
    assert sent_body() == {"apikey": API_KEY, "orderref": "UIA202512-000417"}


@responses.activate
def test_call_passes_connect_and_read_timeout(client: UtopiaClient) -> None:
    responses.post(LOOKUP_URL, json={})

    client.call("contractlookup", orderref="X")

    assert responses.calls[0].request.req_kwargs["timeout"] == (2.0, 7.0)


@responses.activate
@pytest.mark.parametrize("base_url", [BASE_URL, f"{BASE_URL}/"])
@pytest.mark.parametrize("path", ["contractlookup", "/contractlookup/"])
def test_url_is_joined_with_one_slash(base_url: str, path: str) -> None:
    responses.post(LOOKUP_URL, json={})

    UtopiaClient(base_url, API_KEY).call(path)

    assert responses.calls[0].request.url == LOOKUP_URL


@responses.activate
def test_fields_set_to_none_are_left_out(client: UtopiaClient) -> None:
    responses.post(f"{BASE_URL}/spquery/orders", json=[])

    client.orders(status="New")

    assert sent_body() == {"apikey": API_KEY, "status": "New"}


@responses.activate
@pytest.mark.parametrize(
    ("method", "kwargs", "path", "fields"),
    [
        ("products", {}, "products", {}),
        ("customer", {"cid": "5521"}, "customer", {"cid": "5521"}),
        ("service", {"siteid": "S-1"}, "service", {"siteid": "S-1"}),
        ("check_access", {"siteid": "S-1"}, "checkaccess", {"siteid": "S-1"}),
        ("check_access", {"clientid": "77"}, "checkaccess", {"clientid": "77"}),
        (
            "orders",
            {"status": "New", "siteid": "S-1", "orderref": "R-1"},
            "orders",
            {"status": "New", "siteid": "S-1", "orderref": "R-1"},
        ),
    ],
)
def test_each_method_posts_to_its_endpoint(
    client: UtopiaClient,
    method: str,
    kwargs: dict[str, str],
    path: str,
    fields: dict[str, str],
) -> None:
    responses.post(f"{BASE_URL}/spquery/{path}", json=[{"ok": "1"}])

    answer = getattr(client, method)(**kwargs)

    assert answer == [{"ok": "1"}]
    assert sent_body() == {"apikey": API_KEY, **fields}


def test_check_access_needs_siteid_or_clientid(client: UtopiaClient) -> None:
    with pytest.raises(ValueError, match="siteid or a clientid"):
        client.check_access()


@responses.activate
def test_contract_lookup_returns_answer_as_is(
    client: UtopiaClient, lookup_answer: dict[str, Any]
) -> None:
    responses.post(LOOKUP_URL, json=lookup_answer)

    assert client.contract_lookup("UIA202512-000417") == lookup_answer


@responses.activate
def test_contract_lookup_rejects_answer_that_is_not_an_object(
    client: UtopiaClient,
) -> None:
    responses.post(LOOKUP_URL, json=[{"orderref": "UIA202512-000417"}])

    error = lookup_error(client)

    assert not error.transient
    assert "not a JSON object" in error.message


@responses.activate
def test_error_answer_with_http_200_is_permanent(client: UtopiaClient) -> None:
    responses.post(LOOKUP_URL, json={"error": "Order is cancelled"})

    error = lookup_error(client)

    assert error.message == "Order is cancelled"
    assert str(error) == "Order is cancelled"
    assert (error.transient, error.status_code, error.routine) == (False, 200, False)


@responses.activate
@pytest.mark.parametrize(
    "text", [NO_RECORDS_MESSAGE, "  no valid records found for this isp \n"]
)
def test_no_records_answer_is_routine(client: UtopiaClient, text: str) -> None:
    responses.post(LOOKUP_URL, json={"error": text})

    error = lookup_error(client)

    assert error.routine
    assert not error.transient


@responses.activate
def test_empty_error_field_beside_an_answer_is_not_an_error(
    client: UtopiaClient,
) -> None:
    responses.post(LOOKUP_URL, json={"error": "", "orderref": "UIA202512-000417"})

    assert client.contract_lookup("X")["orderref"] == "UIA202512-000417"


@responses.activate
@pytest.mark.parametrize(
    ("failure", "phrase"),
    [
        (requests.ReadTimeout("read timed out"), "in time"),
        (requests.ConnectTimeout("connect timed out"), "in time"),
        (requests.ConnectionError("connection refused"), "Could not connect"),
        (requests.exceptions.ChunkedEncodingError("cut off"), "request failed"),
    ],
)
def test_transport_failures_are_transient(
    client: UtopiaClient, failure: Exception, phrase: str
) -> None:
    responses.post(LOOKUP_URL, body=failure)

    error = lookup_error(client)

    assert error.transient
    assert error.status_code is None
    assert phrase in error.message
    assert error.__cause__ is failure


@responses.activate
def test_invalid_url_is_permanent() -> None:
    error_client = UtopiaClient("utopia.test", API_KEY)

    with pytest.raises(UtopiaError) as caught:
        error_client.products()

    assert not caught.value.transient


@responses.activate
@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_errors_and_rate_limit_are_transient(
    client: UtopiaClient, status: int
) -> None:
    responses.post(LOOKUP_URL, status=status, body="<html>Service Unavailable</html>")

    error = lookup_error(client)

    assert error.transient
    assert error.status_code == status
    assert f"HTTP {status}" in error.message
    assert "Service Unavailable" in error.message


@responses.activate
@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_permanent(client: UtopiaClient, status: int) -> None:
    responses.post(LOOKUP_URL, status=status, json={"error": "Bad request"})

    error = lookup_error(client)

    assert not error.transient
    assert error.status_code == status


@responses.activate
@pytest.mark.parametrize("body", ["<html>Maintenance</html>", ""])
def test_answer_that_is_not_json_is_permanent(client: UtopiaClient, body: str) -> None:
    responses.post(LOOKUP_URL, body=body, content_type="text/html")

    error = lookup_error(client)

    assert not error.transient
    assert "not JSON" in error.message
    assert isinstance(error.__cause__, ValueError)


@responses.activate
def test_answer_nested_too_deep_to_decode_is_permanent(client: UtopiaClient) -> None:
    responses.post(LOOKUP_URL, body="[" * 100_000 + "]" * 100_000)

    error = lookup_error(client)

    assert not error.transient
    assert "not JSON" in error.message


@responses.activate
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, f"Fatal error handling apikey={API_KEY}"),
        (400, json.dumps({"error": f"Bad body {{'apikey': '{API_KEY}'}}"})),
        (200, json.dumps({"error": f"Invalid API key {API_KEY}"})),
        (200, f"<pre>{{'apikey': '{API_KEY}'}}</pre>"),
    ],
)
def test_api_key_never_appears_in_error_message(
    client: UtopiaClient, status: int, body: str
) -> None:
    responses.post(LOOKUP_URL, status=status, body=body)

    error = lookup_error(client)

    assert API_KEY not in error.message
    assert API_KEY not in str(error)
    assert "[redacted]" in error.message


@responses.activate
def test_long_answers_are_shortened_in_error_messages(client: UtopiaClient) -> None:
    responses.post(LOOKUP_URL, status=502, body="x" * 5000)

    error = lookup_error(client)

    assert len(error.message) < 260
    assert error.message.endswith("...")


@responses.activate
def test_contract_download_returns_pdf_bytes(client: UtopiaClient) -> None:
    url = f"{BASE_URL}/spquery/contractdownload"
    responses.post(url, body=PDF, content_type="application/pdf")

    assert client.contract_download("UIA202512-000417") == PDF
    assert sent_body() == {"apikey": API_KEY, "orderref": "UIA202512-000417"}


@responses.activate
def test_contract_download_recognises_pdf_without_its_content_type(
    client: UtopiaClient,
) -> None:
    url = f"{BASE_URL}/spquery/contractdownload"
    responses.post(url, body=PDF, content_type="application/octet-stream")

    assert client.contract_download("UIA202512-000417") == PDF


@responses.activate
def test_contract_not_ready_is_permanent_error(client: UtopiaClient) -> None:
    url = f"{BASE_URL}/spquery/contractdownload"
    responses.post(url, json={"error": "Contract not yet signed"})

    with pytest.raises(UtopiaError) as caught:
        client.contract_download("UIA202512-000417")

    assert caught.value.message == "Contract not yet signed"
    assert not caught.value.transient


@responses.activate
def test_contract_download_rejects_json_that_is_not_a_pdf(
    client: UtopiaClient,
) -> None:
    responses.post(f"{BASE_URL}/spquery/contractdownload", json={"status": "ok"})

    with pytest.raises(UtopiaError, match="not a PDF"):
        client.contract_download("UIA202512-000417")


@responses.activate
def test_call_logs_path_and_time_but_not_key(
    client: UtopiaClient, caplog: pytest.LogCaptureFixture
) -> None:
    responses.post(LOOKUP_URL, json={"error": NO_RECORDS_MESSAGE})
    caplog.set_level(logging.DEBUG, logger="utopia.client")

    lookup_error(client)

    assert "Utopia contractlookup answered HTTP 200 in" in caplog.text
    assert API_KEY not in caplog.text


@pytest.mark.parametrize(("base_url", "api_key"), [("", API_KEY), (BASE_URL, "")])
def test_client_refuses_missing_url_or_key(base_url: str, api_key: str) -> None:
    with pytest.raises(ValueError, match="base_url and an api_key"):
        UtopiaClient(base_url, api_key)


class CountingSession(requests.Session):
    closed = 0

    def close(self) -> None:
        self.closed += 1
        super().close()


@responses.activate
def test_given_session_is_used_and_left_open() -> None:
    session = CountingSession()
    responses.post(f"{BASE_URL}/spquery/products", json=[])

    with UtopiaClient(BASE_URL, API_KEY, session=session) as client:
        client.products()

    assert client.session is session
    assert len(responses.calls) == 1
    assert session.closed == 0
