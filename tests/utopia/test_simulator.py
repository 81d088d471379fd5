"""The Utopia simulator, called directly through ``handle``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.utopia.conftest import API_KEY, make_order
from utopia.client import NO_RECORDS_MESSAGE
from utopia.contract_pdf import build_contract_pdf
from utopia.simulator import UtopiaSimulator


def post(sim: UtopiaSimulator, name: str, **fields: Any) -> tuple[int, Any]:
    """Send one well-formed request and return its status and decoded JSON."""
    body = json.dumps({"apikey": API_KEY, **fields}).encode()
    status, content_type, payload = sim.handle(f"/spquery/{name}", body)
    assert content_type == "application/json"
    return status, json.loads(payload)


def test_contract_lookup_answers_the_stored_order(
    simulator: UtopiaSimulator, lookup_answer: dict[str, Any]
) -> None:
    assert post(simulator, "contractlookup", orderref="UIA202512-000417") == (
        200,
        lookup_answer,
    )


def test_contract_lookup_answers_a_copy(simulator: UtopiaSimulator) -> None:
    _, answer = post(simulator, "contractlookup", orderref="UIA202512-000417")
    answer["customer"]["firstname"] = "Changed"

    _, again = post(simulator, "contractlookup", orderref="UIA202512-000417")

    assert again["customer"]["firstname"] == "Rosa"


def test_unknown_order_answers_no_records(simulator: UtopiaSimulator) -> None:
    answer = post(simulator, "contractlookup", orderref="UIA202512-999999")

    assert answer == (200, {"error": NO_RECORDS_MESSAGE})


@pytest.mark.parametrize("fields", [{"apikey": "wrong"}, {}, {"apikey": 12345}])
def test_wrong_or_missing_key_answers_error_with_http_200(
    simulator: UtopiaSimulator, fields: dict[str, Any]
) -> None:
    body = json.dumps({**fields, "orderref": "UIA202512-000417"}).encode()

    status, _, payload = simulator.handle("/spquery/contractlookup", body)

    assert (status, json.loads(payload)) == (200, {"error": "Invalid API key"})


@pytest.mark.parametrize("body", [b"apikey=x", b"", b'["not", "an object"]'])
def test_body_that_is_not_a_json_object_answers_400(
    simulator: UtopiaSimulator, body: bytes
) -> None:
    status, _, payload = simulator.handle("/spquery/contractlookup", body)

    assert status == 400
    assert "error" in json.loads(payload)


def test_unknown_path_answers_404(simulator: UtopiaSimulator) -> None:
    status, answer = post(simulator, "nosuchquery")

    assert status == 404
    assert "error" in answer


def test_contract_download_answers_a_pdf(simulator: UtopiaSimulator) -> None:
    body = json.dumps({"apikey": API_KEY, "orderref": "UIA202512-000417"}).encode()

    status, content_type, payload = simulator.handle("/spquery/contractdownload", body)

    assert (status, content_type) == (200, "application/pdf")
    assert payload.startswith(b"%PDF-")
    assert b"UIA202512-000417" in payload


def test_contract_download_of_unknown_order_answers_no_records(
    simulator: UtopiaSimulator,
) -> None:
    answer = post(simulator, "contractdownload", orderref="UIA202512-999999")

    assert answer == (200, {"error": NO_RECORDS_MESSAGE})


def test_contract_pdf_cross_reference_points_at_its_objects() -> None:
    pdf = build_contract_pdf("UIA (1) \\ 2")

    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf[xref_at:])]

    assert pdf[xref_at:].startswith(b"xref\n0 6\n")
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["UIA202512-000417", "UIA202512-000418"]),
        ({"status": "Installed"}, ["UIA202512-000418"]),
        ({"siteid": "SITE-700417"}, ["UIA202512-000417"]),
        ({"orderref": "UIA202512-000418", "status": "New"}, []),
        ({"status": None}, ["UIA202512-000417", "UIA202512-000418"]),
    ],
)
def test_orders_are_filtered_by_the_given_fields(
    simulator: UtopiaSimulator, filters: dict[str, Any], expected: list[str]
) -> None:
    status, answer = post(simulator, "orders", **filters)

    assert status == 200
    assert [order["orderref"] for order in answer] == expected


def test_products_lists_each_description_once(simulator: UtopiaSimulator) -> None:
    simulator.add_order(make_order("UIA202512-000419", orderitems=None))

    _, answer = post(simulator, "products")

    assert answer == [
        {"description": "250 Mbps"},
        {"description": "Static IP"},
        {"description": "1 Gbps"},
    ]


@pytest.mark.parametrize(
    ("cid", "firstname"),
    [(5521, "Tomás"), ("5521", "Tomás"), ("UIA202512-000417", "Rosa")],
)
def test_customer_is_found_by_cid(
    simulator: UtopiaSimulator, cid: object, firstname: str
) -> None:
    status, answer = post(simulator, "customer", cid=cid)

    assert status == 200
    assert answer["firstname"] == firstname
    assert answer["cid"] == str(cid)


def test_service_describes_the_site(simulator: UtopiaSimulator) -> None:
    _, answer = post(simulator, "service", siteid="SITE-700418")

    assert answer["siteid"] == "SITE-700418"
    assert answer["status"] == "Installed"
    assert answer["products"] == ["1 Gbps"]
    assert answer["address"]["city"] == "Provo"


@pytest.mark.parametrize("fields", [{"siteid": "SITE-700417"}, {"clientid": "5521"}])
def test_check_access_grants_known_sites_and_clients(
    simulator: UtopiaSimulator, fields: dict[str, str]
) -> None:
    _, answer = post(simulator, "checkaccess", **fields)

    assert answer["access"] is True


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("customer", {"cid": "404"}),
        ("customer", {}),
        ("service", {"siteid": "SITE-000000"}),
        ("checkaccess", {"siteid": "SITE-000000"}),
        ("checkaccess", {}),
    ],
)
def test_unknown_customers_and_sites_answer_no_records(
    simulator: UtopiaSimulator, name: str, fields: dict[str, str]
) -> None:
    assert post(simulator, name, **fields) == (200, {"error": NO_RECORDS_MESSAGE})


def test_fail_next_answers_the_status_then_recovers(
    simulator: UtopiaSimulator,
) -> None:
    simulator.fail_next(2, status=502)

    answers = [post(simulator, "products")[0] for _ in range(3)]

    assert answers == [502, 502, 200]


def test_answer_error_next_answers_http_200_error(simulator: UtopiaSimulator) -> None:
    simulator.answer_error_next("Database is busy")

    assert post(simulator, "contractlookup", orderref="UIA202512-000417") == (
        200,
        {"error": "Database is busy"},
    )
    assert post(simulator, "contractlookup", orderref="UIA202512-000417")[0] == 200


def test_calls_record_path_and_fields_without_key(simulator: UtopiaSimulator) -> None:
    post(simulator, "contractlookup", orderref="UIA202512-000417")
    simulator.handle("/spquery/orders/", b"not json")

    assert simulator.calls == [
        ("/spquery/contractlookup", {"orderref": "UIA202512-000417"}),
        ("/spquery/orders", {}),
    ]


def test_delay_sleeps_before_answering(
    simulator: UtopiaSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("utopia.simulator.time.sleep", slept.append)
    simulator.delay = 0.25

    post(simulator, "products")

    assert slept == [0.25]


def test_add_order_replaces_an_order_with_the_same_orderref(
    simulator: UtopiaSimulator,
) -> None:
    simulator.add_order(make_order("UIA202512-000417", status="Cancelled"))

    _, answer = post(simulator, "contractlookup", orderref="UIA202512-000417")

    assert answer["status"] == "Cancelled"
    assert len(post(simulator, "orders")[1]) == 2


def test_add_order_needs_an_orderref(simulator: UtopiaSimulator) -> None:
    with pytest.raises(ValueError, match="orderref"):
        simulator.add_order({"status": "New"})


def test_from_sample_file_loads_the_utopia_orders(tmp_path: Path) -> None:
    sample = tmp_path / "sample.json"
    orders = [make_order("UIA202512-000001"), make_order("UIA202512-000002")]
    sample.write_text(json.dumps({"about": "test", "utopia_orders": orders}))

    sim = UtopiaSimulator.from_sample_file(sample, api_key=API_KEY, delay=0.01)

    assert sim.delay == 0.01
    assert [o["orderref"] for o in post(sim, "orders")[1]] == [
        "UIA202512-000001",
        "UIA202512-000002",
    ]


def test_project_sample_file_loads_and_answers_every_order() -> None:
    sample = Path(__file__).resolve().parents[2] / "uac" / "sample_orders.json"
    orderrefs = [o["orderref"] for o in json.loads(sample.read_text())["utopia_orders"]]

    sim = UtopiaSimulator.from_sample_file(str(sample), api_key=API_KEY)

    for orderref in orderrefs:
        assert post(sim, "contractlookup", orderref=orderref)[1]["orderref"] == orderref
    assert post(sim, "products")[0] == 200
