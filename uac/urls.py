"""URL routes: the webhook, the Flask app's failure API, and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

# Refusals are shown in the back office's frame, not as a bare error page.
handler403 = "backoffice.views.permission_denied"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("orders.urls")),
]
