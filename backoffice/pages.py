"""Imports each module that adds a tool page, so the site finds them all."""

from __future__ import annotations

from backoffice import logs, lookups  # noqa: F401
