"""The admin site: today's counts and the tool pages on top of the models."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from backoffice.dashboard import count_cards, todays_counts
from backoffice.tools import TOOLS, Tool


class BackOfficeSite(admin.AdminSite):
    site_header = "UAC back office"
    site_title = "UAC back office"
    index_title = "Today"
    index_template = "backoffice/index.html"
    # UAC serves no public site for a "View site" link to open.
    site_url = None
    # The lists staff work in need the width more than a second menu.
    enable_nav_sidebar = False

    def get_urls(self) -> list[URLPattern]:
        import backoffice.pages  # noqa: F401  (registers the tool pages)

        tool_urls = [
            path(tool.route, self.admin_view(self.tool_view(tool)), name=tool.url_name)
            for tool in TOOLS
        ]
        return tool_urls + super().get_urls()

    def tool_view(self, tool: Tool) -> Callable[..., HttpResponse]:
        """The tool's view, refused with 403 to staff without its permission."""

        @wraps(tool.view)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(tool.permission):
                raise PermissionDenied
            return tool.view(request, *args, **kwargs)

        return view

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["tools"] = [
            {"title": t.title, "description": t.description, "url": self.tool_url(t)}
            for t in TOOLS
            if request.user.is_active and request.user.has_perm(t.permission)
        ]
        return context

    def tool_url(self, tool: Tool) -> str:
        return reverse(f"{self.name}:{tool.url_name}")

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        counts = todays_counts()
        context = {
            "counts": counts,
            "count_cards": count_cards(counts),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)
