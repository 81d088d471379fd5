"""Webhook deliveries in the admin: read-only, every one kept, body as it came."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString

from backoffice.admin_pages import StaffTitles, list_time
from orders.admin import display
from orders.admin.display import data_table, preformatted, pretty_body
from orders.models import WebhookDelivery
from uac.masking import mask_text


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(StaffTitles):
    list_display = [
        "received",
        "sender",
        "message_type",
        "order_link",
        "outcome",
        "reason_text",
    ]
    list_filter = ["outcome", "received_at"]
    date_hierarchy = "received_at"
    search_fields = ["orderref", "body", "remote_addr"]
    fields = [
        "received_at",
        "sender",
        "method",
        "message_type",
        "order_link",
        "outcome",
        "reason_text",
        "headers_table",
        "body_text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Received", ordering="received_at")
    def received(self, delivery: WebhookDelivery) -> str:
        return list_time(delivery.received_at)

    @admin.display(description="Sender", ordering="remote_addr")
    def sender(self, delivery: WebhookDelivery) -> str:
        return delivery.remote_addr or "-"

    @admin.display(description="Message (msg)", ordering="msg")
    def message_type(self, delivery: WebhookDelivery) -> str:
        return delivery.msg or "-"

    @admin.display(description="Orderref", ordering="orderref")
    def order_link(self, delivery: WebhookDelivery) -> str:
        return display.order_link(delivery.order_id, delivery.orderref)

    @admin.display(description="Why not accepted")
    def reason_text(self, delivery: WebhookDelivery) -> str:
        return mask_text(delivery.reason) or "-"

    @admin.display(description="Headers (secrets masked)")
    def headers_table(self, delivery: WebhookDelivery) -> SafeString:
        return data_table(delivery.headers)

    @admin.display(description="Body")
    def body_text(self, delivery: WebhookDelivery) -> SafeString:
        return preformatted(pretty_body(delivery.body))
