"""The log page: the tail, filtered by text and level, masked, and a download."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from backoffice import log_tail
from backoffice.roles import ADMINISTRATORS, OPERATORS
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

LOGS_URL = reverse("admin:logs")
STAMP = "2026-12-04 05:17:23,123"


def record(level: str, message: str, name: str = "orders.pipeline") -> str:
    return f"{STAMP} {level} {name} {message}\n"


TRACEBACK = (
    record("ERROR", "order UIA1 stopped by an unexpected error")
    + "Traceback (most recent call last):\n"
    + '  File "orders/pipeline.py", line 1, in run\n'
    + "KeyError: 'siteid'\n"
)


@pytest.fixture
def log_file(tmp_path: Path, settings) -> Path:
    path = tmp_path / "uac.log"
    settings.LOG_FILE = str(path)
    return path


@pytest.fixture
def admin() -> Client:
    return logged_in(ADMINISTRATORS)


def entries(response) -> list[str]:
    return [entry.text for entry in response.context["tail"].entries]


def test_the_page_shows_the_last_200_lines_by_default(admin, log_file):
    log_file.write_text("".join(record("INFO", f"line {n}") for n in range(1, 301)))

    response = admin.get(LOGS_URL)

    shown = entries(response)
    assert response.status_code == 200
    assert len(shown) == 200
    assert shown[0].endswith("line 101") and shown[-1].endswith("line 300")
    body = response.content.decode()
    assert "line 101</pre>" in body
    assert "line 100</pre>" not in body


def test_fewer_lines_can_be_chosen(admin, log_file):
    log_file.write_text("".join(record("INFO", f"line {n}") for n in range(1, 301)))

    shown = entries(admin.get(LOGS_URL, {"lines": "50"}))

    assert len(shown) == 50
    assert shown[0].endswith("line 251")


def test_minimum_level_keeps_tracebacks_with_their_record(admin, log_file):
    log_file.write_text(
        record("INFO", "order UIA1 queued")
        + TRACEBACK
        + record("WARNING", "webhook delivery 3 rejected")
        + record("DEBUG", "Utopia contractlookup answered HTTP 200")
    )

    response = admin.get(LOGS_URL, {"level": "WARNING"})

    shown = entries(response)
    assert len(shown) == 2
    assert shown[0].splitlines()[-1] == "KeyError: 'siteid'"
    assert "rejected" in shown[1]
    assert 'data-level="ERROR"' in response.content.decode()


def test_text_filter_ignores_case_and_searches_continuation_lines(admin, log_file):
    log_file.write_text(
        record("INFO", "order UIA1 queued") + TRACEBACK + record("INFO", "other")
    )

    shown = entries(admin.get(LOGS_URL, {"text": "keyerror"}))

    assert len(shown) == 1
    assert shown[0].startswith(f"{STAMP} ERROR")


def test_secrets_in_the_log_are_masked_on_the_page(admin, log_file):
    secret = settings.PC_API_KEY
    log_file.write_text(record("WARNING", f"sent apiKey={secret}"))

    body = admin.get(LOGS_URL).content.decode()

    assert "apiKey=********" in body
    assert secret not in body
    # Nor can a search find out the secret.
    assert entries(admin.get(LOGS_URL, {"text": secret})) == []


def test_a_missing_log_file_is_said_plainly(admin, log_file):
    response = admin.get(LOGS_URL)

    assert response.status_code == 200
    assert "There is no log file at" in response.content.decode()


def test_download_sends_the_whole_file_masked(admin, log_file):
    lines = [record("INFO", f"line {n}") for n in range(1, 301)]
    lines.append(record("ERROR", f"key {settings.UTOPIA_API_KEY}"))
    log_file.write_text("".join(lines))

    response = admin.get(LOGS_URL, {"download": "1", "level": "ERROR"})

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert body.count("\n") == 301  # unfiltered: every line
    assert settings.UTOPIA_API_KEY not in body
    assert body.endswith("key ********\n")


def test_download_of_a_missing_file_is_a_readable_404(admin, log_file):
    response = admin.get(LOGS_URL, {"download": "1"})

    assert response.status_code == 404
    assert response.content == b"There is no log file yet."


def test_operators_may_not_read_the_log(log_file):
    log_file.write_text(record("INFO", "hello"))
    operator = logged_in(OPERATORS)

    assert operator.get(LOGS_URL).status_code == 403
    assert operator.get(LOGS_URL, {"download": "1"}).status_code == 403


def test_tail_across_small_blocks_matches_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(log_tail, "BLOCK_SIZE", 7)
    path = tmp_path / "uac.log"
    text = "".join(record("INFO", f"line {n}") for n in range(40)) + TRACEBACK
    path.write_text(text)

    tail = log_tail.tail_log(path, lines=1000)

    assert "\n".join(e.text for e in tail.entries) + "\n" == text
    assert tail.whole_file_read


def test_lines_before_the_first_record_are_kept(tmp_path):
    path = tmp_path / "uac.log"
    path.write_text("KeyError: 'x'\n" + record("INFO", "after rotation"))

    tail = log_tail.tail_log(path)

    assert [e.level for e in tail.entries] == [None, "INFO"]
    assert log_tail.tail_log(path, min_level="INFO").line_count == 1


def test_a_filter_reads_back_no_further_than_the_scan_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(log_tail, "SCAN_LIMIT", 4096)
    path = tmp_path / "uac.log"
    path.write_text(
        record("ERROR", "old")
        + "".join(record("INFO", f"line {n}") for n in range(2000))
    )

    tail = log_tail.tail_log(path, min_level="ERROR")

    assert tail.entries == []
    assert 4096 <= tail.scanned < path.stat().st_size
    assert not tail.whole_file_read


def test_a_log_that_cannot_be_read_is_said_plainly_on_download(
    admin, settings, tmp_path
):
    settings.LOG_FILE = str(tmp_path)  # a directory: open() fails

    response = admin.get(reverse("admin:logs"), {"download": "1"})

    assert response.status_code == 500
    assert response.content.decode().startswith("The log file cannot be read")


def test_a_refused_page_is_logged_in_one_line(settings):
    operator = logged_in(OPERATORS)

    with open(settings.LOG_FILE, "rb") as log:
        log.seek(0, 2)
        operator.get(reverse("admin:logs"))
        written = log.read().decode()

    assert "Forbidden (Permission denied): /admin/logs/" in written
    assert "Traceback" not in written


def test_every_process_follows_the_log_file_once_logrotate_moved_it(tmp_path):
    from uac.app_logging import LogFileHandler

    path = tmp_path / "log" / "uac.log"
    writers = [LogFileHandler(str(path)) for _ in range(2)]  # two processes' own
    logger = logging.getLogger("tests.rotation")
    for writer in writers:
        logger.addHandler(writer)
    try:
        logger.warning("before")
        path.rename(path.with_suffix(".log.1"))  # what logrotate does
        logger.warning("after")
    finally:
        for writer in writers:
            logger.removeHandler(writer)
            writer.close()

    assert path.read_text().count("after") == 2
    assert "after" not in path.with_suffix(".log.1").read_text()


def test_static_file_requests_stay_out_of_the_log():
    from uac.app_logging import StaticRequestsOut

    def server_line(message: str) -> logging.LogRecord:
        return logging.LogRecord(
            "django.server", logging.INFO, "", 0, message, (), None
        )

    keep = StaticRequestsOut()

    assert not keep.filter(server_line('"GET /static/admin/css/base.css HTTP/1.1" 200'))
    assert keep.filter(server_line('"POST /api-callback HTTP/1.1" 200'))
