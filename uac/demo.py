"""The laptop demo: web app, a real Celery worker and the simulators, together.

The web app and the worker run as their own processes, exactly as in
production; the simulators run in threads of the demo process.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import requests
from django.conf import settings
from django.contrib.auth import get_user_model

from orders.intake import NEW_ORDER_MSG
from orders.models import Order
from orders.models.order import FINAL_STATES
from orders.webhook_sender import send_webhook

LOG_DIR = Path(settings.VAR_DIR) / "log"


class DemoError(Exception):
    """A part of the demo stopped or never answered."""


class ChildProcesses:
    """The web server and worker processes, stopped together.

    `lock`, if given, is an open file each child inherits: a demo lock held by
    the children too, so workers left behind by a killed demo still keep a
    second demo from clearing the queue they read.
    """

    def __init__(self, lock: IO[str] | None = None) -> None:
        self.pass_fds = () if lock is None else (lock.fileno(),)
        self.children: list[subprocess.Popen[bytes]] = []
        self.names: list[str] = []
        self.logs: list[IO[bytes]] = []

    def start(self, name: str, command: list[str]) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = (LOG_DIR / f"demo-{name}.log").open("wb")
        self.logs.append(log)
        self.names.append(name)
        self.children.append(
            subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=os.environ.copy(),
                pass_fds=self.pass_fds,
            )
        )

    def check_alive(self) -> None:
        for name, child in zip(self.names, self.children, strict=True):
            if child.poll() is not None:
                log = LOG_DIR / f"demo-{name}.log"
                raise DemoError(f"the {name} process exited; see {log}")

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        for log in self.logs:
            log.close()


def clear_earlier_run() -> None:
    """Start from nothing: the demo's own database, queue folders and emails."""
    var_dir = Path(settings.VAR_DIR)
    database = Path(settings.DATABASES["default"]["NAME"])
    if database.parent == var_dir:  # SQLite in var/, never a database of yours
        for path in var_dir.glob(f"{database.name}*"):
            path.unlink()
    if getattr(settings, "EMAIL_FILE_PATH", None):  # emails written to files
        shutil.rmtree(settings.EMAIL_FILE_PATH, ignore_errors=True)
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "control_folder"):
        if key in options:  # the filesystem broker
            shutil.rmtree(options[key], ignore_errors=True)
            Path(options[key]).mkdir(parents=True)


def busy_addresses(addresses: Iterable[tuple[str, int]]) -> list[str]:
    """The addresses something already listens on, as "host:port"."""
    busy = []
    for host, port in sorted(addresses):
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                busy.append(f"{host}:{port}")
    return busy


def start_web_and_worker(children: ChildProcesses, port: int) -> None:
    """Start the web app and a Celery worker on the configured broker."""
    python = sys.executable
    # The worker's emails link to the order on the port the demo serves.
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    children.start(
        "web", [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    )
    children.start(
        "worker",
        [
            python,
            "-m",
            "celery",
            "-A",
            "uac",
            "worker",
            "--concurrency=2",
            "-l",
            "INFO",
        ],
    )


def wait_for_web(base_url: str, children: ChildProcesses, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children.check_alive()
        try:
            requests.get(f"{base_url}/admin/login/", timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still starting
            time.sleep(0.2)
    raise DemoError(f"the web app did not answer at {base_url}")


def ensure_demo_staff() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo's staff logins; return (role, user, password)."""
    from django.contrib.auth.models import Group

    from backoffice.roles import OPERATORS

    logins = []
    for username, role in [("admin", "superuser"), ("operator", OPERATORS)]:
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = True
        user.is_superuser = role == "superuser"
        user.set_password(password)
        user.save()
        if role != "superuser":
            user.groups.set([Group.objects.get(name=role)])
        logins.append((role, username, password))
    return logins


def deliver(base_url: str, orderref: str | None, msg: str = NEW_ORDER_MSG) -> int:
    """POST one webhook as Utopia does; return the HTTP status."""
    return send_webhook(f"{base_url}/api-callback", orderref, msg).status_code


def wait_for_outcomes(
    orderrefs: Iterable[str], children: ChildProcesses, timeout: float
) -> list[Order]:
    """Wait until every order has a final state, or the time is up."""
    orderrefs = list(orderrefs)
    deadline = time.monotonic() + timeout
    while True:
        orders = list(Order.objects.filter(orderref__in=orderrefs))
        done = [o for o in orders if o.state in FINAL_STATES]
        if len(done) == len(orderrefs) or time.monotonic() > deadline:
            return sorted(orders, key=lambda o: o.orderref)
        children.check_alive()
        time.sleep(0.25)


def outcome_rows(orders: list[Order], expected: dict[str, dict]) -> list[list[str]]:
    """One row an order: what happened, and whether it is what was expected."""
    rows = []
    for order in orders:
        kinds = ",".join(sorted(order.failures.values_list("kind", flat=True)))
        wanted = expected.get(order.orderref, {})
        as_expected = order.state == wanted.get("state") and kinds == wanted.get(
            "failure", ""
        )
        rows.append(
            [
                order.orderref,
                order.state,
                order.powercode_customer_id or "-",
                order.ticket_id or "-",
                kinds or "-",
                "yes" if as_expected else f"NO (expected {wanted.get('state')})",
            ]
        )
    return rows


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(
            str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
        ).rstrip()
        for line in lines
    )
