"""The real Utopia client against the simulator, over HTTP and through responses."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import responses

from tests.utopia.conftest import API_KEY, BASE_URL
from uac.wsgi_server import ThreadingWSGIServer
from utopia.client import UtopiaClient, UtopiaError
from utopia.simulator import UtopiaSimulator

Served = tuple[ThreadingWSGIServer, int]


def http_client(port: int, read_timeout: float = 5.0) -> UtopiaClient:
    return UtopiaClient(f"http://127.0.0.1:{port}/", API_KEY, read_timeout=read_timeout)


def test_client_looks_up_an_order_over_http(served: Served) -> None:
    _, port = served

    order = http_client(port).contract_lookup("UIA202512-000417")

    assert order["customer"]["lastname"] == "Nguyen"
    assert order["address"]["zip"] == 84097


def test_client_downloads_a_contract_over_http(served: Served) -> None:
    pdf = http_client(served[1]).contract_download("UIA202512-000417")

    assert pdf.startswith(b"%PDF-")


def test_unknown_order_over_http_is_routine_error(served: Served) -> None:
    with pytest.raises(UtopiaError) as caught:
        http_client(served[1]).contract_lookup("UIA202512-999999")

    assert caught.value.routine
    assert not caught.value.transient


def test_wrong_key_over_http_is_permanent_error(served: Served) -> None:
    client = UtopiaClient(f"http://127.0.0.1:{served[1]}", "wrong-key")

    with pytest.raises(UtopiaError, match="Invalid API key") as caught:
        client.products()

    assert not caught.value.transient


def test_injected_failure_over_http_is_transient(
    served: Served, simulator: UtopiaSimulator
) -> None:
    simulator.fail_next(status=503)
    client = http_client(served[1])

    with pytest.raises(UtopiaError) as caught:
        client.products()

    assert (caught.value.transient, caught.value.status_code) == (True, 503)
    assert len(client.products()) == 3


def test_slow_simulator_makes_the_client_time_out(
    served: Served, simulator: UtopiaSimulator
) -> None:
    simulator.delay = 0.5

    with pytest.raises(UtopiaError, match="in time") as caught:
        http_client(served[1], read_timeout=0.05).products()

    assert caught.value.transient


def test_stopped_server_makes_a_transient_connection_error(
    simulator: UtopiaSimulator,
) -> None:
    from uac.wsgi_server import serve_in_thread

    server, port = serve_in_thread(simulator.wsgi_app)
    server.shutdown()

    with pytest.raises(UtopiaError, match="Could not connect") as caught:
        http_client(port).products()

    assert caught.value.transient


def test_simulator_refuses_methods_other_than_post(served: Served) -> None:
    response = requests.get(f"http://127.0.0.1:{served[1]}/spquery/products", timeout=5)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert "error" in response.json()


def test_simulator_answers_concurrent_requests(
    served: Served, simulator: UtopiaSimulator
) -> None:
    client = http_client(served[1])
    orderrefs = ["UIA202512-000417", "UIA202512-000418"] * 10

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(client.contract_lookup, orderrefs))

    assert [a["orderref"] for a in answers] == orderrefs
    assert len(simulator.calls) == 20


@responses.activate
def test_client_through_responses_callback(simulator: UtopiaSimulator) -> None:
    for name in ("contractlookup", "contractdownload", "orders"):
        responses.add_callback(
            responses.POST,
            f"{BASE_URL}/spquery/{name}",
            callback=simulator.responses_callback,
        )
    client = UtopiaClient(BASE_URL, API_KEY)

    order = client.contract_lookup("UIA202512-000417")
    pdf = client.contract_download("UIA202512-000417")
    installed = client.orders(status="Installed")

    assert order["orderref"] == "UIA202512-000417"
    assert pdf.startswith(b"%PDF-")
    assert [o["orderref"] for o in installed] == ["UIA202512-000418"]
    assert simulator.calls[-1] == ("/spquery/orders", {"status": "Installed"})


@responses.activate
def test_responses_callback_passes_on_injected_errors(
    simulator: UtopiaSimulator,
) -> None:
    responses.add_callback(
        responses.POST,
        f"{BASE_URL}/spquery/contractlookup",
        callback=simulator.responses_callback,
    )
    simulator.answer_error_next("Temporarily locked")
    client = UtopiaClient(BASE_URL, API_KEY)

    with pytest.raises(UtopiaError, match="Temporarily locked") as caught:
        client.contract_lookup("UIA202512-000417")

    assert not caught.value.transient
    assert json.loads(responses.calls[0].request.body)["apikey"] == API_KEY
