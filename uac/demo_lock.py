"""One laptop demo at a time: an exclusive lock on a file in var/.

The demo clears its database, queue and mail folders on start, so a second
demo must stop before it touches them. The ports cannot tell: a second demo can
be moved to other ports and still share var/. The operating system releases an
flock when the last process holding it ends, however it ends, so a killed demo
leaves no stale lock to clean up.

No Django imports here: the lock is taken before anything else happens.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "demo.lock"


class DemoAlreadyRunning(Exception):
    """Another process holds the demo's lock."""

    def __init__(self, path: Path, pid: str) -> None:
        self.path = path
        self.pid = pid
        holder = f" (pid {pid})" if pid else ""
        super().__init__(
            f"Another demo is running{holder}; it holds {path}. Stop it first:"
            " this one touched nothing."
        )


def hold_demo_lock(var_dir: Path) -> IO[str]:
    """Take the demo's lock in var_dir without waiting; return its open file.

    The lock lasts as long as the returned file (or a child process that
    inherited it) stays open. Raises DemoAlreadyRunning if another holds it.
    """
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / LOCK_NAME
    # "a+", not "w": opening must not erase the pid the holder wrote.
    lock = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        pid = lock.read().strip()
        lock.close()
        raise DemoAlreadyRunning(path, pid) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock
