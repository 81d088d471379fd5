"""The PowerCode simulator served over real HTTP by wsgiref, and the real client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import requests

from powercode.client import (
    GEOCODE_FAILED,
    PowerCodeClient,
    PowerCodeError,
    customer_page_url,
)
from powercode.simulator import INVALID_KEY, PowerCodeSimulator
from tests.powercode.conftest import API_KEY, SAMPLE_CUSTOMERS, customer_fields


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output free of access log lines."""


@pytest.fixture
def sim() -> PowerCodeSimulator:
    return PowerCodeSimulator(SAMPLE_CUSTOMERS, api_key=API_KEY)


@pytest.fixture
def base_url(sim: PowerCodeSimulator) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, sim.wsgi_app, handler_class=QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def make_client(base_url: str, api_key: str = API_KEY, **kwargs) -> PowerCodeClient:
    return PowerCodeClient(
        f"{base_url}/api/1/index.php", f"{base_url}/uapi", api_key, **kwargs
    )


def test_order_flow_over_http(sim, base_url) -> None:
    client = make_client(base_url)
    sim.ungeocodable_streets.add("123 N Main St Apt 4B")

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())
    customer_id = client.create_customer(
        customer_fields(physicalAutomaticallyGeocode=False)
    )
    client.add_customer_service(customer_id, "31")
    tags = client.add_customer_tags(customer_id, [5, 8])
    ticket_id = client.create_ticket({"customerID": customer_id, "summary": "S"})

    assert caught.value.api_status == GEOCODE_FAILED
    assert customer_id == "2001"
    assert client.read_customer(ext_account_id="SITE-123")["CustomerID"] == "2001"
    assert sim.customers["2001"]["CompanyName"] == "Ana García-López"
    assert [t["TagID"] for t in tags] == [5, 8]
    assert client.read_ticket(ticket_id)["summary"] == "S"


def test_wrong_key_over_http(base_url) -> None:
    client = make_client(base_url, api_key="wrong-key")

    with pytest.raises(PowerCodeError) as legacy:
        client.search_customers("Smith")
    with pytest.raises(PowerCodeError) as uapi:
        client.customer_tags("1001")

    assert legacy.value.api_status == INVALID_KEY
    assert uapi.value.status_code == 401


def test_injected_503_over_http_is_transient(sim, base_url) -> None:
    sim.fail_next("searchCustomers", status=503)
    client = make_client(base_url)

    with pytest.raises(PowerCodeError) as caught:
        client.search_customers("Smith")

    assert (caught.value.transient, caught.value.status_code) == (True, 503)
    assert client.search_customers("Smith")[0]["CustomerID"] == "1001"


def test_slow_answer_times_out_after_the_customer_was_created(sim, base_url) -> None:
    sim.delay = 0.2
    client = make_client(base_url, read_timeout=0.05)

    with pytest.raises(PowerCodeError) as caught:
        client.create_customer(customer_fields())

    assert caught.value.transient is True
    assert "2001" in sim.customers


def test_customer_page_over_http(sim, base_url) -> None:
    sim.tags["1002"] = {5}

    page = requests.get(customer_page_url(base_url, "1002"), timeout=5)
    missing = requests.get(customer_page_url(base_url, "4242"), timeout=5)

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert (
        "<h1>PowerCode simulator: customer #1002 Liam O&#x27;Connor</h1>" in page.text
    )
    assert "<td>SITE-77</td>" in page.text
    assert "<li>Tag 5 (#5)</li>" in page.text
    assert missing.status_code == 404
    assert "no customer #4242" in missing.text
