"""The PowerCode client against the legacy API, with HTTP faked by `responses`."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

import pytest
import requests
import responses

from powercode.client import GEOCODE_FAILED, PowerCodeClient, PowerCodeError
from tests.powercode.conftest import (
    API_KEY,
    API_URL,
    PORTAL_PASSWORD,
    UAPI_URL,
    customer_fields,
)


def sent_form(rsps: responses.RequestsMock, index: int = 0) -> dict[str, list[str]]:
    body = rsps.calls[index].request.body
    return parse_qs(body if isinstance(body, str) else body.decode())


def answer(rsps: responses.RequestsMock, payload: object, status: int = 200) -> None:
    rsps.add(responses.POST, API_URL, json=payload, status=status)


def test_call_posts_form_with_key_action_and_fields(mocked) -> None:
    client = PowerCodeClient(
        API_URL, UAPI_URL, API_KEY, verify_ssl=False, read_timeout=9.0
    )
    answer(mocked, {"statusCode": 0, "message": ""})

    client.call("readTicket", ticketID=15, skipped=None, yes=True, no=False)

    request = mocked.calls[0].request
    assert request.method == "POST"
    assert request.url == API_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent_form(mocked) == {
        "apiKey": [API_KEY],
        "action": ["readTicket"],
        "ticketID": ["15"],
        "yes": ["1"],
        "no": ["0"],
    }
    assert request.req_kwargs["verify"] is False
    assert request.req_kwargs["timeout"] == (5.0, 9.0)


def test_call_verifies_tls_by_default_with_configured_timeouts(client, mocked) -> None:
    answer(mocked, {"statusCode": 0})

    client.call("readTicket", ticketID="1")

    # requests may swap True for the CA bundle named in the environment.
    assert mocked.calls[0].request.req_kwargs["verify"] not in (False, None)
    assert mocked.calls[0].request.req_kwargs["timeout"] == (2.0, 7.0)


def test_one_session_carries_every_request(client, mocked) -> None:
    answer(mocked, {"statusCode": 0})
    session = client.session

    client.call("readTicket", ticketID="1")
    client.call("readTicket", ticketID="2")

    assert client.session is session
    assert len(mocked.calls) == 2


def test_status_code_zero_as_string_is_success(client, mocked) -> None:
    answer(mocked, {"statusCode": "0", "message": "ok", "ticketID": "9"})

    assert client.create_ticket({"customerID": "1001"}) == "9"


def test_nonzero_status_code_is_permanent_error_with_api_status(client, mocked) -> None:
    answer(mocked, {"statusCode": "7", "message": "Service not found"})

    with pytest.raises(PowerCodeError) as caught:
        client.add_customer_service("1001", "99")

    assert caught.value.transient is False
    assert caught.value.api_status == 7
    assert caught.value.status_code == 200
    assert "Service not found" in caught.value.message


def test_geocode_failure_surfaces_as_api_status_23(client, mocked) -> None:
    answer(mocked, {"statusCode": 23, "message": "Could not geocode"})

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert caught.value.api_status == GEOCODE_FAILED == 23
    assert caught.value.transient is False


def test_unreadable_status_code_is_permanent_error(client, mocked) -> None:
    answer(mocked, {"statusCode": "oops"})

    with pytest.raises(PowerCodeError) as caught:
        client.call("readTicket", ticketID="1")

    assert caught.value.transient is False


@pytest.mark.parametrize(
    "failure",
    [
        requests.Timeout("slow"),
        requests.exceptions.ReadTimeout("slow read"),
        requests.exceptions.ConnectTimeout("slow connect"),
        requests.ConnectionError("refused"),
    ],
)
def test_timeouts_and_connection_errors_are_transient(client, mocked, failure) -> None:
    mocked.add(responses.POST, API_URL, body=failure)

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is True
    assert caught.value.__cause__ is failure


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_server_errors_and_rate_limits_are_transient(client, mocked, status) -> None:
    mocked.add(responses.POST, API_URL, body="Service Unavailable", status=status)

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is True
    assert caught.value.status_code == status
    assert "Service Unavailable" in caught.value.message


@pytest.mark.parametrize(
    ("status", "may_have_acted"),
    [(429, False), (500, True), (502, True), (503, False), (504, True)],
)
def test_only_a_refusal_is_known_to_have_done_nothing(
    client, mocked, status, may_have_acted
) -> None:
    # A gateway's 502 or 504 can follow a request PowerCode carried out.
    mocked.add(responses.POST, API_URL, status=status)

    with pytest.raises(PowerCodeError) as caught:
        client.call("createTicket", summary="x")

    assert caught.value.may_have_acted is may_have_acted


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_permanent(client, mocked, status) -> None:
    mocked.add(responses.POST, API_URL, body="Bad Request", status=status)

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is False
    assert caught.value.status_code == status


def test_non_json_answer_is_permanent_with_short_excerpt(client, mocked) -> None:
    html = "<html><body>" + "Fatal error in index.php " * 40 + "</body></html>"
    mocked.add(responses.POST, API_URL, body=html, status=200)

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is False
    assert "Fatal error" in caught.value.message
    assert len(caught.value.message) < 300


def test_answer_nested_too_deep_to_decode_is_permanent(client, mocked) -> None:
    mocked.add(responses.POST, API_URL, body="[" * 100_000 + "]" * 100_000)

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is False
    assert "non-JSON" in caught.value.message


def test_json_that_is_not_an_object_is_permanent(client, mocked) -> None:
    answer(mocked, ["unexpected"])

    with pytest.raises(PowerCodeError) as caught:
        client.call("searchCustomers", searchString="Smith")

    assert caught.value.transient is False


def echo_request(request: requests.PreparedRequest) -> tuple[int, dict, str]:
    """Answer with everything the request carried, as a careless server might."""
    echoed = f"{request.headers} {request.body} {request.url}"
    return 500, {}, echoed


def test_error_messages_never_hold_key_or_portal_password(client, mocked) -> None:
    mocked.add_callback(responses.POST, API_URL, callback=echo_request)

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert API_KEY not in caught.value.message
    assert PORTAL_PASSWORD not in caught.value.message
    assert API_KEY not in str(caught.value)


def test_status_message_echoing_secrets_is_redacted(client, mocked) -> None:
    message = f"Bad password {PORTAL_PASSWORD} for key {API_KEY}"
    answer(mocked, {"statusCode": 4, "message": message})

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert "Bad password" in caught.value.message
    assert PORTAL_PASSWORD not in caught.value.message
    assert API_KEY not in caught.value.message


def test_transport_error_message_holds_no_request_fields(client, mocked) -> None:
    mocked.add(responses.POST, API_URL, body=requests.ConnectionError(API_KEY))

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert API_KEY not in caught.value.message
    assert "createCustomer" in caught.value.message


def test_debug_log_names_action_and_time_but_not_key(client, mocked, caplog) -> None:
    answer(mocked, {"statusCode": 0, "customerID": "5"})
    caplog.set_level(logging.DEBUG, logger="powercode.client")

    client.create_customer(customer_fields())

    assert "createCustomer" in caplog.text
    assert " ms" in caplog.text
    assert API_KEY not in caplog.text
    assert PORTAL_PASSWORD not in caplog.text


def test_create_customer_returns_new_id_as_string(client, mocked) -> None:
    answer(mocked, {"customerID": 456, "statusCode": 0, "message": "Created"})

    assert client.create_customer(customer_fields()) == "456"
    assert sent_form(mocked)["customerPortalPassword"] == [PORTAL_PASSWORD]


def test_create_customer_accepts_capitalised_id_key(client, mocked) -> None:
    answer(mocked, {"CustomerID": "457", "statusCode": 0})

    assert client.create_customer(customer_fields()) == "457"


def test_create_customer_without_id_in_answer_is_permanent(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "message": "Created"})

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert caught.value.transient is False
    assert caught.value.api_status is None


def test_create_ticket_without_id_in_answer_is_permanent(client, mocked) -> None:
    answer(mocked, {"statusCode": 0})

    with pytest.raises(PowerCodeError):
        client.create_ticket({"customerID": "1001"})


def test_add_customer_service_sends_quantity_and_prorate_flag(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "message": "Added"})

    client.add_customer_service("1001", "31", quantity=2, prorate=False)

    form = sent_form(mocked)
    assert form["action"] == ["addCustomerService"]
    assert form["customerID"] == ["1001"]
    assert form["serviceID"] == ["31"]
    assert form["quantity"] == ["2"]
    assert form["prorateService"] == ["0"]


def test_structured_fields_are_sent_as_json_strings(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "customerID": "1"})
    phones = [{"Type": "Home", "Number": "801-555-0142"}]

    client.create_customer(customer_fields(phone=phones))

    assert json.loads(sent_form(mocked)["phone"][0]) == phones


def test_read_customer_miss_returns_none(client, mocked) -> None:
    answer(mocked, {"statusCode": 2, "message": "Customer not found"})

    assert client.read_customer(ext_account_id="SITE-404") is None
    assert sent_form(mocked)["extAccountID"] == ["SITE-404"]
    assert "customerID" not in sent_form(mocked)


def test_read_customer_still_raises_when_powercode_is_down(client, mocked) -> None:
    mocked.add(responses.POST, API_URL, status=503)

    with pytest.raises(PowerCodeError) as caught:
        client.read_customer(customer_id="1001")

    assert caught.value.transient is True


@pytest.mark.parametrize(
    "payload",
    [
        {"statusCode": 0, "customer": {"CustomerID": "1001", "City": "Ogden"}},
        {"statusCode": 0, "Customer": {"CustomerID": "1001", "City": "Ogden"}},
        {"statusCode": "0", "message": "", "CustomerID": 1001, "City": "Ogden"},
        {"statusCode": 0, "customer": [{"CustomerID": 1001, "City": "Ogden"}]},
        {"customers": [{"CustomerID": "1001", "City": "Ogden"}]},
    ],
)
def test_read_customer_tolerates_answer_shapes(client, mocked, payload) -> None:
    answer(mocked, payload)

    customer = client.read_customer(customer_id="1001")

    assert customer == {"CustomerID": "1001", "City": "Ogden"}
    assert sent_form(mocked)["customerID"] == ["1001"]


def test_read_customer_answer_without_a_customer_id_is_an_error(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "message": "OK", "results": []})

    with pytest.raises(PowerCodeError) as caught:
        client.read_customer(ext_account_id="SITE-1")

    assert caught.value.transient is False
    assert "without a customer id" in caught.value.message


def test_read_customer_with_empty_list_returns_none(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "customer": []})

    assert client.read_customer(customer_id="1001") is None


@pytest.mark.parametrize(
    "ids",
    [{}, {"customer_id": "1", "ext_account_id": "S"}, {"ext_account_id": ""}],
)
def test_read_customer_needs_exactly_one_non_empty_id(client, ids) -> None:
    with pytest.raises(ValueError):
        client.read_customer(**ids)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"customers": [{"CustomerID": "1", "CompanyName": "A"}]}, ["1"]),
        ({"customers": [{"CustomerID": 1}, {"CustomerID": 2}]}, ["1", "2"]),
        ({"customers": {"1": {"CustomerID": 1}, "2": {"CustomerID": "2"}}}, ["1", "2"]),
        ({"customers": {"CustomerID": "3", "CompanyName": "C"}}, ["3"]),
        ({"statusCode": 0}, []),
        ({"customers": None}, []),
        ({"customers": []}, []),
    ],
)
def test_search_customers_tolerates_answer_shapes(
    client, mocked, payload, expected
) -> None:
    answer(mocked, payload)

    found = client.search_customers("Smith")

    assert [c["CustomerID"] for c in found] == expected
    assert sent_form(mocked)["searchString"] == ["Smith"]


def test_read_ticket_unwraps_ticket_key(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "ticket": {"TicketID": "15", "Summary": "S"}})

    assert client.read_ticket("15") == {"TicketID": "15", "Summary": "S"}


def test_read_ticket_takes_top_level_ticket(client, mocked) -> None:
    answer(mocked, {"statusCode": 0, "message": "", "TicketID": "15"})

    assert client.read_ticket("15") == {"TicketID": "15"}
