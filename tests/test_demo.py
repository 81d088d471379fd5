"""One laptop demo at a time: a second one refuses before it clears anything."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from uac import demo
from uac.demo_lock import LOCK_NAME, DemoAlreadyRunning, hold_demo_lock

# Takes the lock in another process and says so, then waits to be killed.
HOLDER = """
import sys, time
from pathlib import Path
from uac.demo_lock import hold_demo_lock
lock = hold_demo_lock(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def other_demo(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the demo lock in tmp_path."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    yield holder
    holder.kill()
    holder.wait()


@pytest.fixture
def demo_var(tmp_path: Path, settings) -> dict[str, Path]:
    """var/ is tmp_path: the demo's mail and queue folders each hold a marker."""
    settings.VAR_DIR = tmp_path
    folders = {
        "mail": tmp_path / "mail",
        "queue": tmp_path / "broker",
        "control": tmp_path / "broker-control",
    }
    settings.EMAIL_FILE_PATH = str(folders["mail"])
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
    }
    markers = {}
    for name, folder in folders.items():
        folder.mkdir()
        markers[name] = folder / "first-demo-data"
        markers[name].write_text("the first demo's")
    return markers


def test_second_lock_on_the_same_file_is_refused_with_the_holders_pid(tmp_path):
    first = hold_demo_lock(tmp_path)

    with pytest.raises(DemoAlreadyRunning) as refused:
        hold_demo_lock(tmp_path)  # a second open file: as another demo would

    assert refused.value.pid == str(os.getpid())
    assert f"Another demo is running (pid {os.getpid()})" in str(refused.value)
    assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    first.close()
    hold_demo_lock(tmp_path).close()  # free again once the first is closed


def test_lock_held_by_another_process_is_freed_when_that_process_dies(
    tmp_path, other_demo
):
    with pytest.raises(DemoAlreadyRunning) as refused:
        hold_demo_lock(tmp_path)
    assert refused.value.pid == str(other_demo.pid)

    other_demo.kill()
    other_demo.wait()

    lock = hold_demo_lock(tmp_path)  # no stale lock to clean up
    assert (tmp_path / LOCK_NAME).read_text() == f"{os.getpid()}\n"
    lock.close()


def test_children_keep_the_lock_after_the_demo_closes_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "LOG_DIR", tmp_path / "log")
    lock = hold_demo_lock(tmp_path)
    children = demo.ChildProcesses(lock)
    children.start("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    lock.close()
    try:
        # A worker left behind by a killed demo still reads the queue.
        with pytest.raises(DemoAlreadyRunning):
            hold_demo_lock(tmp_path)
    finally:
        children.stop()

    hold_demo_lock(tmp_path).close()


def test_clearing_an_earlier_run_deletes_the_markers(demo_var):
    # The markers are where the demo clears: the refusal below means something.
    demo.clear_earlier_run()

    assert not any(marker.exists() for marker in demo_var.values())


def test_second_demo_on_moved_ports_refuses_and_touches_nothing(
    demo_var, other_demo, monkeypatch
):
    cleared: list[bool] = []
    monkeypatch.setattr(demo, "clear_earlier_run", lambda: cleared.append(True))

    with pytest.raises(CommandError) as refused:
        call_command("demo", "--port", "8699", "--exit")

    message = str(refused.value)
    assert message.startswith(f"Another demo is running (pid {other_demo.pid})")
    assert "\n" not in message
    assert cleared == []
    assert all(marker.exists() for marker in demo_var.values())
    assert (settings.VAR_DIR / LOCK_NAME).read_text() == f"{other_demo.pid}\n"
