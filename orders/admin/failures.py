"""Failures in the admin: what could not be done, resolved by staff."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from orders.failures import resolve_failure
from orders.models import Failure


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
