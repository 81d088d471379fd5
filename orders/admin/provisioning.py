"""What provisioning uses, for administrators: plans, fees and defaults.

The pipeline reads these rows on every run, so a saved change applies to the
next order without a restart.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from backoffice.admin_pages import StaffTitles
from backoffice.stale_forms import CarriesOpenedVersion, UnchangedSinceOpened
from orders.models import AlwaysAddedFee, ProvisioningSettings, ServicePlanMapping
from orders.settings_checks import (
    clean_addresses,
    clean_id_list,
    clean_powercode_id,
    clean_utopia_product,
    secret_status,
)

SERVICE_ID_HELP = "The service's id in PowerCode (a number), under Services."


class BilledServiceForm(UnchangedSinceOpened):
    """A PowerCode service billed to new customers: a real id, at least one."""

    # The model allows 0, which would bill the customer nothing, unnoticed.
    quantity = forms.IntegerField(min_value=1, initial=1)

    def clean_powercode_service_id(self) -> str:
        return clean_powercode_id(
            self.cleaned_data["powercode_service_id"], "The service id"
        )


class ServicePlanMappingForm(BilledServiceForm):
    class Meta:
        model = ServicePlanMapping
        fields = ["utopia_product", "powercode_service_id", "quantity", "active"]
        labels = {"powercode_service_id": "PowerCode service id"}
        help_texts = {
            "powercode_service_id": SERVICE_ID_HELP,
            "active": "Untick to stop billing this plan without losing the row;"
            " orders for it then fail as unmapped.",
        }

    def clean_utopia_product(self) -> str:
        return clean_utopia_product(
            self.cleaned_data["utopia_product"], self.instance.pk
        )


@admin.register(ServicePlanMapping)
class ServicePlanMappingAdmin(CarriesOpenedVersion, StaffTitles):
    form = ServicePlanMappingForm
    list_display = ["utopia_product", "powercode_service_id", "quantity", "active"]
    list_filter = ["active"]
    search_fields = ["utopia_product", "powercode_service_id"]


class AlwaysAddedFeeForm(BilledServiceForm):
    class Meta:
        model = AlwaysAddedFee
        fields = ["name", "powercode_service_id", "quantity", "active"]
        labels = {"powercode_service_id": "PowerCode service id"}
        help_texts = {
            "name": "How staff know the fee, e.g. “Bond fee”; shown in the journal.",
            "powercode_service_id": SERVICE_ID_HELP,
            "active": "Only active fees are added to new customers.",
        }


@admin.register(AlwaysAddedFee)
class AlwaysAddedFeeAdmin(CarriesOpenedVersion, StaffTitles):
    form = AlwaysAddedFeeForm
    list_display = ["name", "powercode_service_id", "quantity", "active"]
    list_filter = ["active"]


# Fields holding PowerCode ids; staff see PowerCode's names, so the help says where.
POWERCODE_ID_FIELDS = {
    "ticket_category": "The ticket category",
    "ticket_type": "The ticket type",
    "ticket_status": "The ticket status",
    "ticket_responsible_group": "The group",
}


class ProvisioningSettingsForm(UnchangedSinceOpened):
    class Meta:
        model = ProvisioningSettings
        fields = [
            "ticket_category",
            "ticket_type",
            "ticket_kind",
            "ticket_status",
            "ticket_responsible_user",
            "ticket_responsible_group",
            "ticket_customer_viewable",
            "tag_ids",
            "email_recipients",
            "tax_zone_id",
            "invoice_preference",
            "bill_day",
            "due_by_days",
            "grace_period_days",
            "prorate_services",
        ]
        widgets = {"email_recipients": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "ticket_kind": "Ticket kind",
            "ticket_responsible_user": "Owner (responsible user)",
            "ticket_responsible_group": "Responsible group id",
            "ticket_customer_viewable": "Customer can see the ticket",
            "tag_ids": "Tag ids",
            "tax_zone_id": "Tax zone id",
            "grace_period_days": "Grace period (days)",
            "due_by_days": "Due by (days)",
        }
        help_texts = {
            "ticket_category": "PowerCode's id of the ticket category, e.g. 54.",
            "ticket_type": "PowerCode's id of the ticket type, e.g. 21.",
            "ticket_kind": "“Individual” for a ticket about one customer.",
            "ticket_status": "PowerCode's id of the status a new ticket has.",
            "ticket_responsible_user": "Who owns the ticket in PowerCode, as"
            " PowerCode names the user, e.g. Sales.",
            "ticket_responsible_group": "PowerCode's id of the group the ticket"
            " is assigned to.",
            "tag_ids": "PowerCode tag ids given to every new customer, separated"
            " by commas, e.g. 12, 40. Leave empty for no tags.",
            "email_recipients": "Who is emailed about each order's outcome and"
            " about test webhooks: one address a line, or separated by commas.",
            "tax_zone_id": "PowerCode's id of the tax zone. Leave empty to let"
            " PowerCode choose.",
            "invoice_preference": "How PowerCode sends invoices, e.g. Email.",
            "bill_day": "When the customer is billed, e.g. “Activation Date”.",
            "due_by_days": "Days after the invoice date until payment is due.",
            "grace_period_days": "Days after the due date before service is suspended.",
            "prorate_services": "Bill the first month for the days left in it.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, what in POWERCODE_ID_FIELDS.items():
            if cleaned.get(name) is not None:
                try:
                    cleaned[name] = clean_powercode_id(cleaned[name], what)
                except forms.ValidationError as err:
                    self.add_error(name, err)
        return cleaned

    def clean_tax_zone_id(self) -> str:
        value = self.cleaned_data["tax_zone_id"].strip()
        return clean_powercode_id(value, "The tax zone") if value else ""

    def clean_tag_ids(self) -> str:
        return clean_id_list(self.cleaned_data["tag_ids"])

    def clean_email_recipients(self) -> str:
        return clean_addresses(self.cleaned_data["email_recipients"])


@admin.register(ProvisioningSettings)
class ProvisioningSettingsAdmin(CarriesOpenedVersion):
    """The one settings row: its list opens the row, which is never deleted."""

    form = ProvisioningSettingsForm
    readonly_fields = ["environment_secrets"]
    fieldsets = [
        (
            "Sales ticket",
            {
                "description": "Every new customer gets one ticket in PowerCode"
                " with these values. Its text comes from the active ticket"
                " template.",
                "fields": [
                    ("ticket_category", "ticket_type"),
                    ("ticket_kind", "ticket_status"),
                    ("ticket_responsible_user", "ticket_responsible_group"),
                    "ticket_customer_viewable",
                ],
            },
        ),
        ("Tags", {"fields": ["tag_ids"]}),
        ("Staff emails", {"fields": ["email_recipients"]}),
        (
            "New customer defaults",
            {
                "description": "What PowerCode is told when a customer is created.",
                "fields": [
                    "tax_zone_id",
                    "invoice_preference",
                    "bill_day",
                    ("due_by_days", "grace_period_days"),
                    "prorate_services",
                ],
            },
        ),
        (
            "Secrets",
            {
                "description": "API keys and passwords are set in the server's"
                " environment, never here; ask whoever runs the server to change"
                " them.",
                "fields": ["environment_secrets"],
            },
        ),
    ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # There is one row, so its list would be one link: show the row instead.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = ProvisioningSettings.load()
        return self.change_view(request, str(settings_row.pk), "", extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ProvisioningSettings | None = None
    ) -> bool:
        return False

    @admin.display(description="Configured in the environment")
    def environment_secrets(self, obj: ProvisioningSettings) -> SafeString:
        rows = format_html_join(
            "",
            '<li><code>{}</code>: <span class="secret-{}">{}</span></li>',
            (
                (name, "set" if is_set else "missing", "set" if is_set else "not set")
                for name, is_set in secret_status()
            ),
        )
        return format_html('<ul id="environment-secrets">{}</ul>', rows)
