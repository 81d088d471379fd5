"""The demo's simulators, served where the settings point."""

from __future__ import annotations

import socket

import requests

from powercode.client import customer_page_url
from uac.simulation import simulator_addresses, start_simulators


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_open_in_powercode_links_reach_the_simulator_customer_page(settings):
    pc, staff, utopia = free_port(), free_port(), free_port()
    settings.UTOPIA_URL_ENDPOINT = f"http://127.0.0.1:{utopia}"
    settings.PC_URL = f"http://127.0.0.1:{staff}/pc"
    settings.PC_URL_API = f"http://127.0.0.1:{pc}/api/1/index.php"
    settings.PC_URL_UAPI = f"http://127.0.0.1:{pc}/uapi"

    running = start_simulators()
    try:
        page = requests.get(customer_page_url(settings.PC_URL, "1001"), timeout=5)
    finally:
        running.stop()

    assert page.status_code == 200
    assert "<h1>PowerCode simulator: customer #1001 Robert Smith</h1>" in page.text
    assert ("127.0.0.1", staff) in simulator_addresses()
    assert len(running.servers) == 3


def test_the_customer_pages_share_the_api_address_by_default(settings):
    port = free_port()
    settings.UTOPIA_URL_ENDPOINT = f"http://127.0.0.1:{free_port()}"
    settings.PC_URL = f"http://127.0.0.1:{port}"
    settings.PC_URL_API = f"http://127.0.0.1:{port}/api/1/index.php"
    settings.PC_URL_UAPI = f"http://127.0.0.1:{port}/uapi"

    running = start_simulators()
    try:
        page = requests.get(customer_page_url(settings.PC_URL, "1002"), timeout=5)
        api = requests.post(settings.PC_URL_API, data={"action": "x"}, timeout=5)
    finally:
        running.stop()

    assert "Liam O&#x27;Connor" in page.text
    assert api.json()["message"] == "Invalid API key"
    assert len(running.servers) == 2
