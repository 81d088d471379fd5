from __future__ import annotations

from django.urls import path

from orders import views

urlpatterns = [
    path("api-callback", views.api_callback, name="api-callback"),
    # The same with a slash, so a hand-typed address is not a lost delivery.
    path("api-callback/", views.api_callback),
]
