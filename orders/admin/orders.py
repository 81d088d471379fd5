"""Orders in the admin: the Utopia data, the step journal, retry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from orders.models import Order, OrderStep
from orders.queue import QUEUE_DOWN_MESSAGE, requeue_orders
from powercode.client import customer_page_url


class OrderStepInline(admin.TabularInline):
    model = OrderStep
    extra = 0
    can_delete = False
    fields = ["name", "status", "started_at", "finished_at", "outcome", "result"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "orderref",
        "customer_name",
        "city",
        "service_plan",
        "state",
        "powercode_link",
        "received_at",
        "updated_at",
    ]
    list_filter = ["state", "received_at"]
    search_fields = ["orderref", "first_name", "last_name", "email", "site_id"]
    readonly_fields = [f.name for f in Order._meta.fields] + ["powercode_link"]
    inlines = [OrderStepInline]
    actions = ["retry_orders"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # An order is the record that its webhook arrived: never lost.
        return False

    @admin.display(description="PowerCode")
    def powercode_link(self, order: Order) -> str:
        if not order.powercode_customer_id:
            return "-"
        url = customer_page_url(settings.PC_URL, order.powercode_customer_id)
        return format_html(
            '<a href="{}" target="_blank">#{}</a>', url, order.powercode_customer_id
        )

    @admin.action(description="Retry selected orders")
    def retry_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        outcomes = [outcome for _, outcome in requeue_orders(queryset)]
        queued = outcomes.count("queued")
        not_queued = len(outcomes) - queued - outcomes.count("skipped")
        level = messages.WARNING if not_queued else messages.INFO
        text = f"Queued {queued} of {len(outcomes)} orders."
        if not_queued:
            text += f" {not_queued} not queued: {QUEUE_DOWN_MESSAGE}"
        self.message_user(request, text, level)
