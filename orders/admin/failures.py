"""Failures in the admin: open ones first, counts by kind, resolve, retry, delete."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from backoffice.admin_pages import StaffTitles
from backoffice.stale_forms import CarriesOpenedVersion
from orders.admin.failure_columns import FailureColumns
from orders.admin.failure_forms import (
    RECURRED_TEXT,
    SEEN_FIELD_PREFIX,
    BulkResolveForm,
    FailureForm,
    StatusFilter,
    seen_in,
)
from orders.admin.retrying import RetryButton
from orders.backoffice_actions import (
    ResolveReport,
    RetryOutcome,
    resolve_failures,
    resolve_unless_recurred,
    retry_failure,
    retry_failures,
)
from orders.failure_stats import failure_stats
from orders.models import Failure
from orders.models.order import SETTLED_STATES


@admin.register(Failure)
class FailureAdmin(CarriesOpenedVersion, RetryButton, FailureColumns, StaffTitles):
    form = FailureForm
    change_list_template = "admin/orders/failure/change_list.html"
    actions = ["resolve_with_note", "retry_orders"]
    list_display = [
        "kind",
        "order_link",
        "short_message",
        "occurrences",
        "last_seen_at",
        "resolved",
        "resolved_by",
    ]
    list_display_links = ["kind"]
    list_filter = [StatusFilter, "kind", "last_seen"]
    search_fields = ["orderref", "message"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "order_link",
                    "kind",
                    "message_text",
                    "occurrences",
                    "first_seen",
                    "last_seen",
                    "delivery_link",
                ]
            },
        ),
        ("Customer", {"fields": ["customer_table"]}),
        (
            "Resolution",
            {
                "fields": [
                    "resolved",
                    "resolver",
                    "resolved_at",
                    "note",
                    "seen_last_seen",
                ]
            },
        ),
    ]
    readonly_fields = [
        "order_link",
        "kind",
        "message_text",
        "occurrences",
        "first_seen",
        "last_seen",
        "delivery_link",
        "customer_table",
        "resolved",
        "resolver",
        "resolved_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # failures are recorded by the pipeline, never by hand

    def get_form(
        self,
        request: HttpRequest,
        obj: Failure | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        form.resolving = "_resolve" in request.POST
        return form

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {"failure_stats": failure_stats(), **(extra_context or {})}
        return super().changelist_view(request, context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        failure = self.get_object(request, unquote(object_id))
        may_change = failure is not None and self.has_change_permission(
            request, failure
        )
        context = {
            "show_save_and_add_another": False,
            "can_resolve": may_change and not failure.resolved,
            "can_retry": may_change
            and failure.order_id is not None
            and failure.order.state not in SETTLED_STATES,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def save_model(
        self, request: HttpRequest, obj: Failure, form: FailureForm, change: bool
    ) -> None:
        if not form.resolving:
            # Only the note: the rest of the row may have recurred meanwhile.
            obj.save(update_fields=["note"])
            return
        request.uac_resolved = resolve_unless_recurred(
            obj,
            user=request.user,
            note=form.cleaned_data["note"],
            seen_last_seen=form.cleaned_data["seen_last_seen"],
        )

    def construct_change_message(
        self, request: HttpRequest, form: FailureForm, formsets: Any, add: bool = False
    ) -> Any:
        if getattr(request, "uac_resolved", None) == "resolved":
            return f"Resolved: {form.cleaned_data['note']}"
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request: HttpRequest, obj: Failure) -> HttpResponse:
        result = getattr(request, "uac_resolved", None)
        if result is None:
            return super().response_change(request, obj)
        if result == "resolved":
            self.message_user(request, f"Resolved {obj}.", messages.SUCCESS)
            return redirect(reverse("admin:orders_failure_changelist"))
        text = RECURRED_TEXT.format(when=timezone.localtime(obj.last_seen))
        if result == "already_resolved":
            text = f"{obj} had already been resolved by someone else."
        self.message_user(request, text, messages.WARNING)
        return redirect(reverse("admin:orders_failure_change", args=[obj.pk]))

    def retry_object(self, request: HttpRequest, failure: Failure) -> RetryOutcome:
        outcome = retry_failure(failure)
        if outcome.history:
            self.log_change(request, failure, f"Order: {outcome.history}")
        self.log_retries(request, [(failure.order, outcome)])
        return outcome

    @admin.action(
        description="Retry the orders of selected failures", permissions=["change"]
    )
    def retry_orders(self, request: HttpRequest, queryset: QuerySet[Failure]) -> None:
        failures = list(queryset.select_related("order"))
        retried, without_order = retry_failures(failures)
        self.log_retries(request, retried)
        history = {order.pk: outcome.history for order, outcome in retried}
        for failure in failures:
            if history.get(failure.order_id):
                self.log_change(request, failure, f"Order: {history[failure.order_id]}")

        also = (
            f"{counted(without_order, 'failure')} of no order cannot be retried:"
            " the webhook had no usable orderref."
            if without_order
            else ""
        )
        outcomes = [outcome for _, outcome in retried]
        self.report_retries(request, outcomes, also=also, warning=bool(without_order))

    @admin.action(
        description="Resolve selected failures with a note", permissions=["change"]
    )
    def resolve_with_note(
        self, request: HttpRequest, queryset: QuerySet[Failure]
    ) -> TemplateResponse | None:
        failures = list(queryset.filter(resolved=False))
        if not failures:
            self.message_user(request, "None of the selected failures is open.")
            return None
        form = BulkResolveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            report = resolve_failures(
                failures,
                user=request.user,
                note=form.cleaned_data["note"],
                seen=seen_in(request),
            )
            self.report_resolved(request, report, form.cleaned_data["note"])
            return None  # back to the list

        context = {
            **self.admin_site.each_context(request),
            "title": "Resolve failures with a note",
            "opts": self.opts,
            "failures": failures,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "seen_prefix": SEEN_FIELD_PREFIX,
        }
        return TemplateResponse(
            request, "admin/orders/failure/resolve_with_note.html", context
        )

    def report_resolved(
        self, request: HttpRequest, report: ResolveReport, note: str
    ) -> None:
        for failure in report.resolved:
            self.log_change(request, failure, f"Resolved: {note}")
        self.message_user(
            request,
            f"Resolved {counted(len(report.resolved), 'failure')}.",
            messages.SUCCESS,
        )
        if report.recurred:
            names = ", ".join(str(f) for f in report.recurred)
            self.message_user(
                request,
                f"Left open, as they happened again after you chose them: {names}."
                " Read them again and resolve them once more.",
                messages.WARNING,
            )
        if report.already_resolved:
            self.message_user(
                request,
                f"{counted(len(report.already_resolved), 'failure')} resolved already.",
                messages.INFO,
            )


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
