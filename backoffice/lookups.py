"""The Utopia and PowerCode lookup pages; the work is in their services modules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice import powercode_lookup, utopia_lookup
from backoffice.tools import TOOLS, Tool
from orders.models import Order, ServicePlanMapping

UPSTREAM_FAILED = 502  # the page still renders, with the message


class OrderrefForm(forms.Form):
    orderref = forms.CharField(max_length=64, label="Orderref")

    def clean_orderref(self) -> str:
        # Utopia's orderrefs are upper case ("UIA202511-0401"); staff may not type so.
        orderref = self.cleaned_data["orderref"].strip().upper()
        if not utopia_lookup.valid_orderref(orderref):
            raise forms.ValidationError("This is not an orderref, e.g. UIA202511-0401.")
        return orderref


class ProvisionForm(OrderrefForm):
    plan = forms.ModelChoiceField(
        queryset=ServicePlanMapping.objects.none(),
        required=False,
        empty_label="Choose a plan",
        label="Plan to bill",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = utopia_lookup.active_plans()


class CustomerSearchForm(forms.Form):
    by = forms.ChoiceField(
        choices=powercode_lookup.SEARCH_KINDS.items(), label="Search by"
    )
    q = forms.CharField(max_length=100, label="Search for")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


def page(
    request: HttpRequest, template: str, title: str, **context: Any
) -> TemplateResponse:
    """A tool page in the admin's frame, with its menu and breadcrumbs."""
    status = context.pop("status", 200)
    full = {**admin.site.each_context(request), "title": title, **context}
    return TemplateResponse(request, f"backoffice/{template}", full, status=status)


def utopia_lookup_view(request: HttpRequest) -> HttpResponse:
    """Show what Utopia says about an orderref; POST provisions it now."""
    if request.method == "POST":
        return provision_now_view(request)
    form = OrderrefForm(request.GET or None)
    lookup = None
    if form.is_valid():
        lookup = utopia_lookup.look_up_order(form.cleaned_data["orderref"])
    failed = lookup is not None and lookup.error and not lookup.not_found
    provision_form = None
    if lookup is not None and lookup.can_provision:
        chosen = lookup.order.chosen_plan_id if lookup.order else None
        provision_form = ProvisionForm(
            initial={"orderref": lookup.orderref, "plan": chosen}
        )
    return page(
        request,
        "utopia_lookup.html",
        "Utopia lookup",
        form=form,
        lookup=lookup,
        provision_form=provision_form,
        status=UPSTREAM_FAILED if failed else 200,
    )


def provision_now_view(request: HttpRequest) -> HttpResponse:
    form = ProvisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not provisioned: " + errors_text(form))
        return redirect(utopia_lookup_url(request.POST.get("orderref", "")))

    orderref, plan = form.cleaned_data["orderref"], form.cleaned_data["plan"]
    result = utopia_lookup.provision_now(orderref, plan)
    level = messages.SUCCESS if result.queued else messages.WARNING
    messages.add_message(request, level, result.message)
    if result.queued or result.queue_down:
        # In the order's history: who provisioned it by hand, and as what.
        order_admin = admin.site.get_model_admin(Order)
        order_admin.log_change(
            request, result.order, f"Utopia lookup: {result.message}"
        )
    if result.order is None:
        return redirect(utopia_lookup_url(orderref))
    return redirect("admin:orders_order_change", result.order.pk)


def errors_text(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def utopia_lookup_url(orderref: str) -> str:
    url = reverse("admin:utopia_lookup")
    return f"{url}?{urlencode({'orderref': orderref})}" if orderref else url


def powercode_lookup_view(request: HttpRequest) -> HttpResponse:
    """Search PowerCode's customers, or read one with its tags and UAC orders."""
    form = CustomerSearchForm(request.GET or None, initial={"by": "name"})
    lookup = None
    if form.is_valid():
        by, query = form.cleaned_data["by"], form.cleaned_data["q"]
        lookup = powercode_lookup.look_up_customers(by, query)
    failed = lookup is not None and bool(lookup.error)
    return page(
        request,
        "powercode_lookup.html",
        "PowerCode lookup",
        form=form,
        lookup=lookup,
        status=UPSTREAM_FAILED if failed else 200,
    )


TOOLS.append(
    Tool(
        title="Utopia lookup",
        description="What Utopia says about an orderref; provision it now.",
        route="lookups/utopia/",
        url_name="utopia_lookup",
        permission="backoffice.use_lookups",
        view=utopia_lookup_view,
    )
)
TOOLS.append(
    Tool(
        title="PowerCode lookup",
        description="Find a PowerCode customer, its tags and its orders here.",
        route="lookups/powercode/",
        url_name="powercode_lookup",
        permission="backoffice.use_lookups",
        view=powercode_lookup_view,
    )
)
