"""How Celery talks to its broker: a folder on a laptop, Redis in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The webhook publishes inside Utopia's request: a broker that stops answering
# (a half-open connection, a hung host) must cost seconds, not a hung worker.
BROKER_SOCKET_TIMEOUT = 2.0


def transport_options(
    broker_url: str, *, var_dir: Path, longest_retry_pause: int
) -> dict[str, Any]:
    """Return the kombu transport options for a broker URL."""
    if broker_url.startswith("filesystem://"):
        # kombu's filesystem transport: no broker service on a laptop.
        for folder in ("broker", "broker-control"):
            (var_dir / folder).mkdir(parents=True, exist_ok=True)
        return {
            "data_folder_in": str(var_dir / "broker"),
            "data_folder_out": str(var_dir / "broker"),
            "control_folder": str(var_dir / "broker-control"),
            "store_processed": False,
        }
    return {
        # A task whose whole worker died is delivered again after this many
        # seconds; it must outlast the longest retry countdown (ETA tasks
        # wait, unacknowledged, in a worker). A copy handed out while the
        # first still runs steps aside (orders/locks.py).
        "visibility_timeout": longest_retry_pause + 300,
        "socket_timeout": BROKER_SOCKET_TIMEOUT,
        "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
    }
