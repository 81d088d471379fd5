"""Fixtures for the PowerCode client and simulator tests."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import responses

from powercode.client import PowerCodeClient
from powercode.simulator import PowerCodeSimulator

API_KEY = "s3cret-key"
PORTAL_PASSWORD = "portal-pass-9f2c"
API_URL = "https://pc.example.test:444/api/1/index.php"
UAPI_URL = "https://pc.example.test:444/uapi"

SAMPLE_CUSTOMERS = [
    {
        "CustomerID": "1001",
        "CompanyName": "Robert Smith",
        "FirstName": "Robert",
        "LastName": "Smith",
        "Address1": "250 N WASHINGTON BLVD",
        "City": "Ogden",
        "State": "UT",
        "Zip": "84404",
        "ExtAccountID": "",
    },
    {
        "CustomerID": "1002",
        "CompanyName": "Liam O'Connor",
        "FirstName": "Liam",
        "LastName": "O'Connor",
        "Address1": "12 S 3RD AVE",
        "City": "Bozeman",
        "State": "MT",
        "Zip": "59715",
        "ExtAccountID": "SITE-77",
    },
]


def customer_fields(**overrides: object) -> dict[str, object]:
    """Return createCustomer fields as the project sends them."""
    fields: dict[str, object] = {
        "firstName": "Ana",
        "lastName": "García-López",
        "emailAddress": "ana@example.test",
        "physicalStreet": "123 N MAIN ST APT 4B",
        "physicalCity": "Layton",
        "physicalState": "UT",
        "physicalZip": "84041",
        "physicalAutomaticallyGeocode": 1,
        "billingSameAsPhysical": 1,
        "customerPortalUsername": "ana@example.test",
        "customerPortalPassword": PORTAL_PASSWORD,
        "phone": '[{"Type": "Home", "Number": "801-555-0142"}]',
        "extAccountID": "SITE-123",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def client() -> PowerCodeClient:
    return PowerCodeClient(
        API_URL, UAPI_URL, API_KEY, connect_timeout=2.0, read_timeout=7.0
    )


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def sim() -> PowerCodeSimulator:
    return PowerCodeSimulator(SAMPLE_CUSTOMERS, api_key=API_KEY)


@pytest.fixture
def wired(sim: PowerCodeSimulator) -> Iterator[PowerCodeSimulator]:
    """Route every request to the PowerCode host into the simulator."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        host = re.compile(re.escape("https://pc.example.test:444/") + ".*")
        for method in (responses.GET, responses.POST, responses.DELETE):
            rsps.add_callback(method, host, callback=sim.responses_callback)
        yield sim
