"""The back office's pages that are not a model's: lookups and the log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse


@dataclass(frozen=True)
class Tool:
    """A page in the admin, listed on the index for staff who may use it."""

    title: str
    description: str
    route: str  # below /admin/, e.g. "lookups/utopia/"
    url_name: str  # reversed as "admin:<url_name>"
    permission: str  # "app_label.codename"
    view: Callable[..., HttpResponse]


# Filled in by the modules that define the pages (see backoffice/pages.py).
TOOLS: list[Tool] = []
