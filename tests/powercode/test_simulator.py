"""The PowerCode simulator, driven by the real client through `responses`."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import threading
from functools import partial
from urllib.parse import urlencode

import pytest
import requests

from powercode.client import (
    GEOCODE_FAILED,
    PowerCodeClient,
    PowerCodeError,
    customer_page_url,
)
from powercode.simulator import (
    INVALID_FIELD,
    INVALID_KEY,
    NOT_FOUND,
    PowerCodeSimulator,
)
from tests.powercode.conftest import (
    API_KEY,
    API_URL,
    PORTAL_PASSWORD,
    SAMPLE_CUSTOMERS,
    UAPI_URL,
    customer_fields,
)

STREET = "123 N MAIN ST APT 4B"


@pytest.fixture
def stranger(wired) -> PowerCodeClient:
    """A client holding the wrong API key."""
    return PowerCodeClient(API_URL, UAPI_URL, "wrong-key")


def api_status_of(call) -> int | None:
    with pytest.raises(PowerCodeError) as caught:
        call()
    return caught.value.api_status


def test_search_matches_company_name_ignoring_case(client, wired) -> None:
    found = client.search_customers("smith")

    assert [c["CustomerID"] for c in found] == ["1001"]
    assert found[0]["Address1"] == "250 N WASHINGTON BLVD"
    assert set(found[0]) >= {"CompanyName", "City", "State", "Zip", "ExtAccountID"}


def test_search_without_match_returns_empty_list(client, wired) -> None:
    assert client.search_customers("Nobody") == []


def test_read_customer_by_id_and_by_ext_account_id(client, wired) -> None:
    assert client.read_customer(customer_id="1001")["CompanyName"] == "Robert Smith"
    assert client.read_customer(ext_account_id="SITE-77")["CustomerID"] == "1002"


def test_read_customer_miss_answers_not_found(client, wired) -> None:
    assert client.read_customer(customer_id="4242") is None
    assert client.read_customer(ext_account_id="SITE-404") is None
    assert (
        api_status_of(lambda: client.call("readCustomer", customerID="9")) == NOT_FOUND
    )


def test_create_customer_stores_sample_shaped_record(client, wired) -> None:
    customer_id = client.create_customer(customer_fields())

    assert customer_id == "2001"
    stored = wired.customers["2001"]
    assert stored["CompanyName"] == "Ana García-López"
    assert stored["Address1"] == STREET
    assert stored["City"] == "Layton"
    assert stored["State"] == "UT"
    assert stored["ExtAccountID"] == "SITE-123"
    assert stored["emailAddress"] == "ana@example.test"
    assert client.read_customer(ext_account_id="SITE-123")["CustomerID"] == "2001"


def test_read_customer_does_not_show_portal_password(client, wired) -> None:
    client.create_customer(customer_fields())

    shown = client.read_customer(customer_id="2001")

    assert PORTAL_PASSWORD not in json.dumps(shown)


def test_new_customer_ids_count_up_from_highest_existing(client, wired) -> None:
    wired.customers["3005"] = {"CustomerID": "3005", "CompanyName": "X Y"}

    first = client.create_customer(customer_fields(extAccountID="A"))
    second = client.create_customer(customer_fields(extAccountID="B"))

    assert (first, second) == ("3006", "3007")


@pytest.mark.parametrize(
    "overrides",
    [
        {"firstName": None},
        {"lastName": ""},
        {"physicalStreet": None},
        {"physicalCity": None},
        {"physicalZip": None},
        {"physicalState": "Utah"},
        {"physicalState": "U1"},
    ],
)
def test_create_customer_rejects_missing_or_bad_fields(
    client, wired, overrides
) -> None:
    fields = customer_fields(**overrides)

    assert api_status_of(lambda: client.create_customer(fields)) == INVALID_FIELD
    assert len(wired.customers) == len(SAMPLE_CUSTOMERS)


def test_ungeocodable_street_fails_then_succeeds_without_geocoding(
    client, wired
) -> None:
    wired.ungeocodable_streets.add(STREET.lower())

    status = api_status_of(lambda: client.create_customer(customer_fields()))
    customer_id = client.create_customer(
        customer_fields(physicalAutomaticallyGeocode=0)
    )

    assert status == GEOCODE_FAILED
    assert customer_id == "2001"
    assert wired.customers["2001"]["physicalAutomaticallyGeocode"] == "0"


def test_add_customer_service_records_service(client, wired) -> None:
    client.add_customer_service("1001", "31", quantity=2, prorate=False)

    expected = {"serviceID": "31", "quantity": "2", "prorateService": "0"}
    assert wired.services == {"1001": [expected]}


def test_add_customer_service_to_unknown_customer_fails(client, wired) -> None:
    add = partial(client.add_customer_service, "4242", "31")

    assert api_status_of(add) == NOT_FOUND
    assert wired.services == {}


def test_tickets_are_numbered_from_one_and_readable(client, wired) -> None:
    first = client.create_ticket({"customerID": "1001", "summary": "New order"})
    second = client.create_ticket({"customerID": "1002", "summary": "Other"})

    assert (first, second) == ("1", "2")
    assert wired.tickets["1"] == {"customerID": "1001", "summary": "New order"}
    assert client.read_ticket("2")["summary"] == "Other"


def test_ticket_for_unknown_customer_or_unknown_ticket_fails(client, wired) -> None:
    assert api_status_of(lambda: client.create_ticket({"customerID": "9"})) == NOT_FOUND
    assert api_status_of(lambda: client.read_ticket("99")) == NOT_FOUND
    assert wired.tickets == {}


def test_unknown_action_is_refused(client, wired) -> None:
    assert api_status_of(lambda: client.call("deleteEverything")) not in (0, None)


def test_wrong_api_key_is_refused_with_status_code(stranger, wired) -> None:
    with pytest.raises(PowerCodeError) as caught:
        stranger.search_customers("Smith")

    assert caught.value.api_status == INVALID_KEY
    assert "Invalid API key" in caught.value.message
    assert "wrong-key" not in caught.value.message


def test_calls_are_recorded_without_api_key(client, wired) -> None:
    client.search_customers("Smith")
    client.customer_tags("1001")

    assert wired.calls == [
        ("searchCustomers", {"searchString": "Smith"}),
        ("UAPI GET customer/tags/customer", {"customerID": "1001"}),
    ]
    assert API_KEY not in repr(wired.calls)


def test_fail_next_with_http_status_fails_count_calls_then_recovers(
    client, wired
) -> None:
    wired.fail_next("createCustomer", count=2, status=503)
    errors = []
    for _ in range(2):
        with pytest.raises(PowerCodeError) as caught:
            client.create_customer(customer_fields())
        errors.append(caught.value)

    assert [(e.transient, e.status_code) for e in errors] == [(True, 503)] * 2
    assert client.create_customer(customer_fields()) == "2001"


def test_fail_next_with_api_status_answers_http_200(client, wired) -> None:
    wired.fail_next("createTicket", api_status=17, message="Database busy")

    with pytest.raises(PowerCodeError) as caught:
        client.create_ticket({"customerID": "1001"})

    assert (caught.value.status_code, caught.value.api_status) == (200, 17)
    assert "Database busy" in caught.value.message
    assert client.create_ticket({"customerID": "1001"}) == "1"


def test_fail_next_only_affects_the_named_action(client, wired) -> None:
    wired.fail_next("createTicket", status=500)

    assert client.search_customers("Smith")
    with pytest.raises(PowerCodeError):
        client.create_ticket({"customerID": "1001"})


def test_tags_are_added_listed_and_removed(client, wired) -> None:
    added = client.add_customer_tags("1001", [7, 5])
    removed = client.remove_customer_tags("1001", ["7"])

    assert [t["TagID"] for t in added] == [5, 7]
    assert [t["TagID"] for t in removed] == [5]
    assert [t["TagID"] for t in client.customer_tags("1001")] == [5]
    assert wired.tags == {"1001": {5}}


def test_tags_for_unknown_customer_are_not_successful(client, wired) -> None:
    with pytest.raises(PowerCodeError) as caught:
        client.add_customer_tags("4242", [5])

    assert caught.value.transient is False
    assert wired.tags == {}


def test_fail_next_tags_fails_uapi_tag_calls(client, wired) -> None:
    wired.fail_next("tags", status=502)

    with pytest.raises(PowerCodeError) as caught:
        client.add_customer_tags("1001", [5])

    assert caught.value.transient is True
    assert client.add_customer_tags("1001", [5])


def test_uapi_with_wrong_key_answers_401(stranger, wired) -> None:
    with pytest.raises(PowerCodeError) as caught:
        stranger.customer_tags("1001")

    assert (caught.value.status_code, caught.value.transient) == (401, False)
    assert wired.tags == {}


def test_find_customers_matches_name_or_phone(client, wired) -> None:
    client.create_customer(customer_fields())

    by_name = client.find_customers("o'connor")
    by_phone = client.find_customers("(801) 555-0142")

    assert [c["CustomerID"] for c in by_name] == ["1002"]
    assert [c["CustomerID"] for c in by_phone] == ["2001"]
    assert client.find_customers("") == []


def test_unknown_uapi_path_is_404(client, wired) -> None:
    with pytest.raises(PowerCodeError) as caught:
        client.uapi("GET", "customer/Nowhere")

    assert caught.value.status_code == 404


def test_legacy_api_refuses_get() -> None:
    sim = PowerCodeSimulator(api_key=API_KEY)

    status, content_type, _ = sim.handle("GET", "/api/1/index.php", "", {}, b"")

    assert (status, content_type) == (405, "application/json")


def test_from_sample_file_loads_powercode_customers(tmp_path) -> None:
    sample = tmp_path / "sample.json"
    payload = {"utopia_orders": {}, "powercode_customers": SAMPLE_CUSTOMERS}
    sample.write_text(json.dumps(payload), encoding="utf-8")

    sim = PowerCodeSimulator.from_sample_file(sample, api_key=API_KEY, delay=0.5)

    assert sorted(sim.customers) == ["1001", "1002"]
    assert sim.delay == 0.5


def test_concurrent_creates_get_distinct_ids() -> None:
    sim = PowerCodeSimulator(api_key=API_KEY)
    fields = {"action": "createCustomer", "apiKey": API_KEY, **customer_fields()}
    body = urlencode(fields).encode()
    threads = [
        threading.Thread(target=sim.handle, args=("POST", sim.api_path, "", {}, body))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sim.customers) == [str(n) for n in range(2001, 2021)]


def open_page(customer_id: str) -> requests.Response:
    """Open a customer's page the way staff follow "Open in PowerCode"."""
    url = customer_page_url("https://pc.example.test", customer_id)
    return requests.get(url, timeout=5)


def test_customer_page_shows_the_customer_services_tags_and_tickets(
    client, wired
) -> None:
    customer_id = client.create_customer(customer_fields())
    client.add_customer_service(customer_id, "31")
    client.add_customer_tags(customer_id, [8, 5])
    client.create_ticket({"customerID": customer_id, "summary": "Install"})

    page = open_page(customer_id)

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    heading = f"<h1>PowerCode simulator: customer #{customer_id} Ana García-López</h1>"
    assert heading in page.text
    assert "not from PowerCode" in page.text
    for shown in (
        "<td>123 N MAIN ST APT 4B, Layton, UT 84041</td>",
        "<td>SITE-123</td>",
        "<td>ana@example.test</td>",
        "<td>Home 801-555-0142</td>",
        "<li>Service 31 (quantity 1)</li>",
        "<li>Tag 5 (#5)</li><li>Tag 8 (#8)</li>",
        "<li>#1 Install</li>",
    ):
        assert shown in page.text, shown
    assert PORTAL_PASSWORD not in page.text


def test_customer_page_of_a_sample_customer_says_what_it_lacks(wired) -> None:
    page = open_page("1001")

    assert page.status_code == 200
    assert "<td>Robert Smith</td>" in page.text
    assert '<th scope="row">Ext account id (Utopia site id)</th><td>-</td>' in page.text
    assert "<li>No services.</li>" in page.text
    assert "<li>No tags.</li>" in page.text


def test_customer_page_escapes_what_the_customer_holds(wired) -> None:
    wired.customers["1001"]["CompanyName"] = "<script>alert('x')</script>"
    wired.customers["1001"]["ExtAccountID"] = 'SITE-"1"&'

    page = open_page("1001")

    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page.text
    assert "<td>SITE-&quot;1&quot;&amp;</td>" in page.text


def test_customer_page_of_an_unknown_customer_is_a_404_page(wired) -> None:
    page = open_page("9999")

    assert page.status_code == 404
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>PowerCode simulator: not found</h1>" in page.text
    assert "The simulator has no customer #9999." in page.text


def test_only_customer_pages_are_shown_and_only_to_get() -> None:
    sim = PowerCodeSimulator(SAMPLE_CUSTOMERS, api_key=API_KEY)
    customer = "q&page=/customers/_view.php&customerid=1001"

    other = sim.handle("GET", "/index.php", "q&page=/tickets/_view.php", {}, b"")
    posted = sim.handle("POST", "/index.php", customer, {}, b"")
    moved = PowerCodeSimulator(SAMPLE_CUSTOMERS, api_key=API_KEY, staff_path="/pc/x")

    assert other[:2] == (404, "text/html; charset=utf-8")
    assert posted[0] == 405
    assert moved.handle("GET", "/pc/x", customer, {}, b"")[0] == 200
    assert moved.handle("GET", "/index.php", customer, {}, b"")[0] == 404
    assert sim.calls[0] == ("PAGE GET", {"q": "", "page": "/tickets/_view.php"})


def test_the_simulator_imports_nothing_of_the_service() -> None:
    code = (
        "import sys, powercode.simulator; "
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    loaded = set(ast.literal_eval(done.stdout))
    assert "powercode" in loaded
    assert not loaded & {"django", "orders", "backoffice", "uac", "notifications"}
