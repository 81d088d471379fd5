"""What every model page of the back office shares: titles written for staff."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils import formats, timezone
from django.utils.text import capfirst


class StaffTitles(admin.ModelAdmin):
    """Name a list after what it lists ("Orders"), not "Select order to change"."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = capfirst(str(self.model._meta.verbose_name_plural))
        return super().changelist_view(
            request, {"title": title, **(extra_context or {})}
        )


def list_time(moment: Any) -> str:
    """A time in a list column: short, to the second, in TIME_ZONE."""
    if moment is None:
        return "-"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
