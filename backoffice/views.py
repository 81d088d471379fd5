"""Pages of the back office outside the admin's own views."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse


def permission_denied(request: HttpRequest, exception: Exception) -> TemplateResponse:
    """Refuse a page in the back office's frame, with its menu and logout."""
    context = {**admin.site.each_context(request), "title": "Not allowed"}
    response = TemplateResponse(request, "403.html", context, status=403)
    return response.render()
