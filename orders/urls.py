from __future__ import annotations

from django.urls import path

from orders import api, views

urlpatterns = [
    path("api-callback", views.api_callback, name="api-callback"),
    # The same with a slash, so a hand-typed address is not a lost delivery.
    path("api-callback/", views.api_callback),
    # The Flask app's failure API, on its paths, for staff scripts.
    path("api/failures", api.list_failures, name="api-failures"),
    path("api/failures/stats", api.failures_stats, name="api-failures-stats"),
    path(
        "api/failures/<str:orderref>/resolve",
        api.resolve_failures,
        name="api-failures-resolve",
    ),
    path(
        "api/failures/<str:orderref>/delete",
        api.delete_failures,
        name="api-failures-delete",
    ),
]
