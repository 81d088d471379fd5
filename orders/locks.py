"""A lock per Utopia site, so two orders for one site never both create a customer.

A customer who submits twice on Utopia's portal makes two orderrefs for one
site. Finding the existing customer and creating one are done under this lock,
so the second order finds the first one's customer and stops as a duplicate.
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
    digest = hashlib.blake2b(site_id.encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
