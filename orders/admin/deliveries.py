"""Webhook deliveries in the admin: read-only, every one kept."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from orders.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "remote_addr",
        "msg",
        "orderref",
        "outcome",
        "reason",
    ]
    list_filter = ["outcome"]
    search_fields = ["orderref", "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
