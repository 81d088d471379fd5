"""Django Admin for orders, failures and deliveries (read-mostly)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from orders.failures import resolve_failure
from orders.models import (
    AlwaysAddedFee,
    Failure,
    Order,
    OrderStep,
    ProvisioningSettings,
    ServicePlanMapping,
    WebhookDelivery,
)
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


@admin.register(Failure)
class FailureAdmin(admin.ModelAdmin):
    actions = ["mark_resolved"]
    list_display = [
        "orderref",
        "kind",
        "message",
        "occurrences",
        "last_seen",
        "resolved",
    ]
    list_filter = ["resolved", "kind"]
    search_fields = ["orderref", "message"]
    readonly_fields = [
        "order",
        "delivery",
        "orderref",
        "kind",
        "message",
        "customer_data",
        "occurrences",
        "first_seen",
        "last_seen",
        "resolved_by",
        "resolved_at",
    ]

    def save_model(
        self, request: HttpRequest, obj: Failure, form: object, change: bool
    ) -> None:
        if obj.resolved and not obj.resolved_at:
            resolve_failure(obj, user=request.user, note=obj.note)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description="Mark selected failures resolved")
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Failure]) -> None:
        failures = list(queryset.filter(resolved=False))
        for failure in failures:
            resolve_failure(failure, user=request.user)
        self.message_user(request, f"Resolved {len(failures)} failures.")


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


admin.site.register(ServicePlanMapping)
admin.site.register(AlwaysAddedFee)
admin.site.register(ProvisioningSettings)
