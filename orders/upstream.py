"""The Utopia and PowerCode clients, built once per process from settings."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from powercode.client import PowerCodeClient
from utopia.client import UtopiaClient


@cache
def utopia_client() -> UtopiaClient:
    """Return this process's Utopia client (one HTTP session, reused)."""
    return UtopiaClient(
        settings.UTOPIA_URL_ENDPOINT,
        settings.UTOPIA_API_KEY,
        connect_timeout=settings.UPSTREAM_CONNECT_TIMEOUT,
        read_timeout=settings.UPSTREAM_READ_TIMEOUT,
    )


@cache
def powercode_client() -> PowerCodeClient:
    """Return this process's PowerCode client (one HTTP session, reused)."""
    return PowerCodeClient(
        settings.PC_URL_API,
        settings.PC_URL_UAPI,
        settings.PC_API_KEY,
        verify_ssl=settings.PC_VERIFY_SSL,
        connect_timeout=settings.UPSTREAM_CONNECT_TIMEOUT,
        read_timeout=settings.UPSTREAM_READ_TIMEOUT,
    )


def reset_clients() -> None:
    """Forget the built clients, so changed settings take effect (tests)."""
    utopia_client.cache_clear()
    powercode_client.cache_clear()
