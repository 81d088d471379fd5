"""Serve the built-in Utopia and PowerCode simulators where settings point."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from powercode.links import customer_page_url
from powercode.simulator import PowerCodeSimulator
from uac.wsgi_server import ThreadingWSGIServer, serve_in_thread
from utopia.simulator import UtopiaSimulator

SAMPLE_FILE = Path(settings.BASE_DIR) / "uac" / "sample_orders.json"


@dataclass
class RunningSimulators:
    utopia: UtopiaSimulator
    powercode: PowerCodeSimulator
    servers: list[ThreadingWSGIServer] = field(default_factory=list)

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()


def start_simulators(
    *, delay: float = 0.0, sample_file: Path = SAMPLE_FILE
) -> RunningSimulators:
    """Seed both simulators from the sample file and serve them in threads."""
    running = RunningSimulators(
        utopia=UtopiaSimulator.from_sample_file(
            sample_file, api_key=settings.UTOPIA_API_KEY, delay=delay
        ),
        powercode=PowerCodeSimulator.from_sample_file(
            sample_file, api_key=settings.PC_API_KEY, delay=delay
        ),
    )
    # "Open in PowerCode" links lead staff to the simulator's customer pages.
    running.powercode.staff_path = urlsplit(staff_page_url()).path
    apps = {address_of(settings.UTOPIA_URL_ENDPOINT): running.utopia.wsgi_app}
    for url in (settings.PC_URL_API, settings.PC_URL_UAPI):
        apps[address_of(url)] = running.powercode.wsgi_app
    # Usually the same address as the API; never take Utopia's over.
    apps.setdefault(address_of(staff_page_url()), running.powercode.wsgi_app)
    for (host, port), app in apps.items():
        try:
            server, _ = serve_in_thread(app, host, port)
        except OSError as err:
            running.stop()
            raise OSError(f"cannot listen on {host}:{port}: {err.strerror}") from err
        running.servers.append(server)
    return running


def simulator_addresses() -> set[tuple[str, int]]:
    """The (host, port) pairs the simulators listen on, from the upstream URLs."""
    urls = (
        settings.UTOPIA_URL_ENDPOINT,
        settings.PC_URL_API,
        settings.PC_URL_UAPI,
        staff_page_url(),
    )
    return {address_of(url) for url in urls}


def staff_page_url() -> str:
    """Where PowerCode customer links point, as staff pages get them."""
    return customer_page_url(settings.PC_URL, "0")


def address_of(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80
