"""Fixtures for tests that need PostgreSQL, Redis and a real Celery worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from powercode.simulator import PowerCodeSimulator
from tests.conftest import SAMPLE_FILE, require_service
from uac.celery import app as celery_app
from uac.wsgi_server import serve_in_thread
from utopia.simulator import UtopiaSimulator

LOG_DIR = Path(settings.BASE_DIR) / "var" / "log"


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def redis_reachable(url: str) -> bool:
    if not url.startswith("redis://"):
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def postgres() -> None:
    """The test runs only against PostgreSQL (DATABASE_URL=postgres://...)."""
    require_service("PostgreSQL (set DATABASE_URL)", uses_postgres())


@pytest.fixture
def redis_broker(postgres: None) -> Iterator[str]:
    """A Redis database for the queue, emptied before and after the test."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    require_service("Redis (set CELERY_BROKER_URL=redis://...)", redis_reachable(url))
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@dataclass
class MailCatcher:
    """An SMTP server in this process that keeps what it receives."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages)


@pytest.fixture
def smtp_server() -> Iterator[tuple[MailCatcher, int]]:
    catcher = MailCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield catcher, controller.port
    controller.stop()


@dataclass
class HttpUpstreams:
    utopia: UtopiaSimulator
    powercode: PowerCodeSimulator
    utopia_url: str
    powercode_url: str


@pytest.fixture
def http_upstreams() -> Iterator[HttpUpstreams]:
    """Both simulators served over real HTTP on free ports."""
    utopia = UtopiaSimulator.from_sample_file(
        SAMPLE_FILE, api_key=settings.UTOPIA_API_KEY
    )
    powercode = PowerCodeSimulator.from_sample_file(
        SAMPLE_FILE, api_key=settings.PC_API_KEY
    )
    utopia_server, utopia_port = serve_in_thread(utopia.wsgi_app)
    powercode_server, powercode_port = serve_in_thread(powercode.wsgi_app)
    yield HttpUpstreams(
        utopia,
        powercode,
        f"http://127.0.0.1:{utopia_port}",
        f"http://127.0.0.1:{powercode_port}",
    )
    utopia_server.shutdown()
    powercode_server.shutdown()


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def pool_children(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        )
        return [int(pid) for pid in found.stdout.split()]


@pytest.fixture
def celery_worker(
    redis_broker: str,
    http_upstreams: HttpUpstreams,
    smtp_server: tuple[MailCatcher, int],
) -> Iterator[WorkerProcess]:
    """A real `celery worker` process on Redis and the test database."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process publishes to Redis
    env = worker_environment(redis_broker, http_upstreams, smtp_server[1])
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / "test-worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "uac", "worker", "-c", "2",
             "-l", "INFO", "--without-mingle", "--without-gossip"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    worker = WorkerProcess(process, log_path)
    wait_until_ready(worker)
    yield worker
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    celery_app.conf.task_always_eager = eager


def worker_environment(broker: str, upstreams: HttpUpstreams, smtp_port: int) -> dict:
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "uac.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "UTOPIA_URL_ENDPOINT": upstreams.utopia_url,
        "PC_URL": upstreams.powercode_url,
        "PC_URL_API": f"{upstreams.powercode_url}/api/1/index.php",
        "PC_URL_UAPI": f"{upstreams.powercode_url}/uapi",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "PROVISION_RETRY_BACKOFF": "1",
        "PROVISION_RETRY_BACKOFF_MAX": "2",
        "LOG_FILE": str(LOG_DIR / "test-worker-app.log"),
    }


def wait_until_ready(worker: WorkerProcess, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"worker exited: {worker.log_path.read_text()[-2000:]}")
        if b"ready." in worker.log_path.read_bytes():
            return
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready: {worker.log_path.read_text()[-2000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
