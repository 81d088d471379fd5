"""PostgreSQL advisory locks: one per Utopia site, one per order run.

A customer who submits twice on Utopia's portal makes two orderrefs for one
site. Finding the existing customer and creating one are done under the site
lock, so the second order finds the first one's customer and stops as a
duplicate. The order lock keeps a redelivered task from running an order its
first copy is still running.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def site_lock(site_id: str) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock for a site id while the block runs.

    The lock belongs to the database session, not a transaction, so the step
    journal still commits row by row; a worker that dies drops its connection
    and with it the lock. Other databases (SQLite on a laptop) get no lock.
    """
    if connection.vendor != "postgresql" or not site_id:
        yield
        return
    key = lock_key(f"site:{site_id}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        unlock(key)


@contextmanager
def order_run_lock(order_id: int) -> Iterator[bool]:
    """Try to hold an order for this run; yield False if a live run holds it.

    A broker hands a task out again when its visibility timeout passes, also
    while the first copy is still running. The live run holds this lock, so
    the copy steps aside; a dead worker's lock went with its connection, so a
    copy that follows a crash gets it and resumes. SQLite always yields True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(f"order:{order_id}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            unlock(key)


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for a name."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def unlock(key: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
