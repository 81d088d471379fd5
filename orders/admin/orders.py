"""Orders in the admin: the Utopia data, the step journal, failures, retry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.html import format_html
from django.utils.safestring import SafeString

from backoffice.admin_pages import StaffTitles, list_time
from orders import backoffice_actions
from orders.admin.display import data_table, pretty_json
from orders.admin.retrying import RetryButton
from orders.backoffice_actions import RetryOutcome, retry_order
from orders.models import Order, OrderState, OrderStep
from orders.models.order import SETTLED_STATES
from powercode.client import customer_page_url


@dataclass(frozen=True)
class UpstreamCall:
    call: str
    request: str
    answer: str


@dataclass(frozen=True)
class JournalEntry:
    """One step attempt as the order page shows it."""

    step: OrderStep
    result: SafeString
    calls: list[UpstreamCall]


def journal_entries(order: Order) -> list[JournalEntry]:
    """The order's step attempts, oldest first, with their calls indented."""
    entries = []
    for step in order.steps.all():
        calls = [
            UpstreamCall(
                call=str(call.get("call", "")),
                request=pretty_json(call.get("request")),
                answer=pretty_json(call.get("answer")),
            )
            for call in step.upstream or []
            if isinstance(call, dict)
        ]
        entries.append(
            JournalEntry(step, data_table(readable_result(step.result)), calls)
        )
    return entries


# What a step's result lists by key, named for staff; "run" and "labels" are
# the pipeline's own bookkeeping and are not shown.
CALL_LISTS = {
    "added": "added",
    "unconfirmed": "not confirmed by PowerCode",
    "sending": "being sent",
}
HIDDEN_RESULT_KEYS = ("run", "labels")


def readable_result(result: dict[str, Any] | None) -> dict[str, Any]:
    """A step's result as staff read it: calls by what they did, not by key."""
    result = result or {}
    labels = result.get("labels") or {}

    def describe(key: object) -> str:
        # Labels say what was under way ("adding Bond fee (service 3)").
        return re.sub(r"^\w+ing ", "", str(labels.get(key, key)))

    readable: dict[str, Any] = {}
    for key, value in result.items():
        if key in HIDDEN_RESULT_KEYS:
            continue
        if key in CALL_LISTS:
            keys = value if isinstance(value, list) else [value]
            readable[CALL_LISTS[key]] = [describe(k) for k in keys]
        else:
            readable[key] = value
    return readable


class OrderChangeList(ChangeList):
    """The orders list, without loading each row's Utopia answer it never shows."""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None) -> QuerySet:
        return super().get_queryset(request, exclude_parameters).defer("utopia_data")


@admin.register(Order)
class OrderAdmin(RetryButton, StaffTitles):
    list_display = [
        "orderref",
        "customer_name",
        "city",
        "plan",
        "state",
        "powercode_link",
        "received",
        "updated",
    ]
    list_filter = ["state", "received_at", "finished_at"]
    date_hierarchy = "received_at"
    search_fields = ["orderref", "first_name", "last_name", "email", "site_id"]
    fieldsets = [
        (
            None,
            {"fields": ["orderref", "state", "received_at", "updated_at"]},
        ),
        (
            "Customer",
            {
                "fields": [
                    "customer_name",
                    "email",
                    "phone",
                    "city",
                    "site_id",
                    "plan",
                ]
            },
        ),
        ("PowerCode", {"fields": ["powercode_link", "ticket_id"]}),
        ("What Utopia sent", {"fields": ["utopia_data_table"]}),
        (
            "Worker",
            {
                "fields": ["runs", "finished_at", "task_id"],
                "classes": ["collapse"],
            },
        ),
    ]
    readonly_fields = [f.name for f in Order._meta.fields] + [
        "customer_name",
        "plan",
        "powercode_link",
        "utopia_data_table",
    ]
    list_select_related = ["chosen_plan"]
    actions = ["retry_orders"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return OrderChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # An order is the record that its webhook arrived: never lost.
        return False

    @admin.display(description="Customer", ordering="last_name")
    def customer_name(self, order: Order) -> str:
        return order.customer_name

    @admin.display(description="Received", ordering="received_at")
    def received(self, order: Order) -> str:
        return list_time(order.received_at)

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, order: Order) -> str:
        return list_time(order.updated_at)

    @admin.display(description="Plan", ordering="service_plan")
    def plan(self, order: Order) -> str:
        """Utopia's product, and what staff chose to bill it as, if they did."""
        if order.chosen_plan is None:
            return order.service_plan or "-"
        chosen = order.chosen_plan.utopia_product
        return f"{order.service_plan or 'no product'} → billed as {chosen}"

    @admin.display(description="PowerCode")
    def powercode_link(self, order: Order) -> str:
        if not order.powercode_customer_id:
            return "-"
        url = customer_page_url(settings.PC_URL, order.powercode_customer_id)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="powercode-link">'
            "#{}</a>",
            url,
            order.powercode_customer_id,
        )

    @admin.display(description="Utopia data")
    def utopia_data_table(self, order: Order) -> SafeString:
        return data_table(order.utopia_data)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            # Nothing on the page is saved; a save would write back the row as
            # loaded, over what a worker wrote meanwhile. Retry has its own URL.
            return HttpResponseNotAllowed(["GET"])
        order = self.get_object(request, unquote(object_id))
        context = {**(extra_context or {}), **self.page_context(request, order)}
        return super().change_view(request, object_id, form_url, context)

    def page_context(self, request: HttpRequest, order: Order | None) -> dict[str, Any]:
        """What the order page shows below the fields; nothing on it is saved."""
        context: dict[str, Any] = {
            # Nothing here is edited: the order's page, not "Change order".
            "title": "Order",
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        if order is None:
            return context
        return {
            **context,
            "journal": journal_entries(order),
            "order_failures": order.failures.order_by("resolved", "-last_seen"),
            "order_deliveries": order.deliveries.order_by("-received_at"),
            "can_retry": self.has_change_permission(request, order)
            and order.state not in SETTLED_STATES,
            "in_progress": order.state in (OrderState.RECEIVED, OrderState.PROCESSING),
        }

    def retry_object(self, request: HttpRequest, order: Order) -> RetryOutcome:
        outcome = retry_order(order)
        self.log_retries(request, [(order, outcome)])
        return outcome

    @admin.action(description="Retry selected orders", permissions=["change"])
    def retry_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        retried = backoffice_actions.retry_orders(queryset)
        self.log_retries(request, retried)
        self.report_retries(request, [outcome for _, outcome in retried])
