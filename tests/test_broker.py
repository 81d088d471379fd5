"""The broker settings: a broker that stops answering is given up on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import kombu
import pytest
from django.conf import settings
from kombu.exceptions import OperationalError

from uac.broker import transport_options


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A listener that takes connections and never answers, like a hung host."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    taken: list[socket.socket] = []

    def take() -> None:
        while True:
            try:
                taken.append(server.accept()[0])
            except OSError:  # closed at the end of the test
                return

    threading.Thread(target=take, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for connection in taken:
        connection.close()


def test_publishing_to_a_hung_broker_fails_instead_of_waiting(silent_broker, tmp_path):
    options = transport_options(silent_broker, var_dir=tmp_path, longest_retry_pause=0)
    outcome: list[BaseException] = []

    def publish() -> None:
        try:
            with kombu.Connection(
                silent_broker,
                transport_options=options,
                connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            ) as conn:
                conn.Producer().publish(
                    {"order": 1},
                    routing_key="celery",
                    retry=True,
                    retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
                )
        except BaseException as err:  # handed to the test
            outcome.append(err)

    publisher = threading.Thread(target=publish, daemon=True)
    publisher.start()
    publisher.join(timeout=30)  # without a socket timeout it waits for ever

    assert not publisher.is_alive(), "publishing hung on a silent broker"
    assert len(outcome) == 1
    assert isinstance(outcome[0], OperationalError)


def test_laptop_broker_is_a_folder(tmp_path):
    options = transport_options(
        "filesystem://localhost//", var_dir=tmp_path, longest_retry_pause=900
    )

    assert options["data_folder_in"] == str(tmp_path / "broker")
    assert (tmp_path / "broker").is_dir()
    assert (tmp_path / "broker-control").is_dir()


def test_redelivery_waits_out_the_longest_retry_pause(tmp_path):
    options = transport_options(
        "redis://127.0.0.1:6379/0", var_dir=tmp_path, longest_retry_pause=900
    )

    assert options["visibility_timeout"] > 900
