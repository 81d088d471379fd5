"""Shared fixtures: simulated upstreams at the HTTP seam, and service checks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import responses
from django.conf import settings

from orders.upstream import reset_clients
from powercode.simulator import PowerCodeSimulator
from utopia.simulator import UtopiaSimulator

SAMPLE_FILE = Path(settings.BASE_DIR) / "uac" / "sample_orders.json"


@dataclass
class Upstreams:
    utopia: UtopiaSimulator
    powercode: PowerCodeSimulator
    mock: responses.RequestsMock

    def powercode_calls(self, action: str) -> list[dict]:
        return [fields for name, fields in self.powercode.calls if name == action]


@pytest.fixture
def upstreams() -> Iterator[Upstreams]:
    """Utopia and PowerCode simulators answering the clients through `responses`."""
    reset_clients()
    utopia = UtopiaSimulator.from_sample_file(
        SAMPLE_FILE, api_key=settings.UTOPIA_API_KEY
    )
    powercode = PowerCodeSimulator.from_sample_file(
        SAMPLE_FILE, api_key=settings.PC_API_KEY
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for base, simulator in (
            (settings.UTOPIA_URL_ENDPOINT, utopia),
            (settings.PC_URL_API, powercode),
            (settings.PC_URL_UAPI, powercode),
        ):
            pattern = re.compile(re.escape(base.rstrip("/")) + r"(/.*)?(\?.*)?$")
            for method in ("GET", "POST", "DELETE"):
                mock.add_callback(
                    method, pattern, callback=simulator.responses_callback
                )
        yield Upstreams(utopia=utopia, powercode=powercode, mock=mock)
    reset_clients()


@pytest.fixture
def no_upstream() -> Iterator[responses.RequestsMock]:
    """Any HTTP call to an upstream fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    assert not mock.calls, "an upstream was called"


def require_service(name: str, reachable: bool) -> None:
    """Skip a test whose service is missing; in CI, fail it instead."""
    if reachable:
        return
    message = f"{name} is not available"
    if os.environ.get("UAC_REQUIRE_SERVICES"):
        pytest.fail(f"{message}, and UAC_REQUIRE_SERVICES is set")
    pytest.skip(message)


@pytest.fixture
def operator():
    """A staff member in the Operators group."""
    from backoffice.roles import OPERATORS
    from tests.factories import StaffUserFactory

    return StaffUserFactory(role=OPERATORS)


@pytest.fixture
def operator_client(operator):
    """A test client logged in as an operator."""
    from django.test import Client

    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def administrator_client():
    """A test client logged in as a member of the Administrators group."""
    from backoffice.roles import ADMINISTRATORS
    from tests.helpers import logged_in

    return logged_in(ADMINISTRATORS)


@pytest.fixture(autouse=True)
def join_results_allowed_again() -> Iterator[None]:
    """Undo Celery's "inside a task" flag that overlapping eager tasks can leave.

    An eager task sets one process-wide flag while it runs and restores what
    it found after; two running at once in threads (simultaneous webhooks in
    the concurrency tests) can restore it to "inside a task" for good, and
    every later `.get()` in the process would then refuse.
    """
    yield
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
