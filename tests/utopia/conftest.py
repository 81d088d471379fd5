"""Fixtures for the Utopia client and simulator tests; none touch the database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from uac.wsgi_server import ThreadingWSGIServer, serve_in_thread
from utopia.client import UtopiaClient
from utopia.simulator import UtopiaSimulator

API_KEY = "sk-test-3f9a7c1e"
BASE_URL = "https://utopia.test"
ANSWERS = Path(__file__).parent / "answers"


def load_answer(name: str) -> Any:
    """Load a recorded-shape Utopia answer from tests/utopia/answers."""
    return json.loads((ANSWERS / name).read_text(encoding="utf-8"))


def make_order(orderref: str, **changes: Any) -> dict[str, Any]:
    """Return the sample contract lookup with another orderref and changes."""
    order = copy.deepcopy(load_answer("contract_lookup.json"))
    order["orderref"] = orderref
    order.update(changes)
    return order


@pytest.fixture
def lookup_answer() -> dict[str, Any]:
    return load_answer("contract_lookup.json")


@pytest.fixture
def client() -> Iterator[UtopiaClient]:
    with UtopiaClient(BASE_URL, API_KEY, connect_timeout=2.0, read_timeout=7.0) as c:
        yield c


@pytest.fixture
def simulator(lookup_answer: dict[str, Any]) -> UtopiaSimulator:
    second = make_order(
        "UIA202512-000418",
        status="Installed",
        customer={"firstname": "Tomás", "lastname": "Ruiz", "cid": 5521},
        address={"address": "9 Elm Ave", "city": "Provo", "siteid": "SITE-700418"},
        orderitems=[{"description": "1 Gbps", "qty": 1, "totalcost": "65.00"}],
    )
    return UtopiaSimulator([lookup_answer, second], api_key=API_KEY)


@pytest.fixture
def served(simulator: UtopiaSimulator) -> Iterator[tuple[ThreadingWSGIServer, int]]:
    server, port = serve_in_thread(simulator.wsgi_app)
    yield server, port
    server.shutdown()
