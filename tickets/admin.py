"""Ticket templates in the admin: edit, preview, activate; the active one stays."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from backoffice.admin_pages import StaffTitles
from backoffice.stale_forms import CarriesOpenedVersion, UnchangedSinceOpened
from tickets.models import TicketTemplate
from tickets.preview import preview_ticket, recent_preview_orders
from tickets.rendering import PLACEHOLDERS, braced

PREVIEW_BUTTON = "_preview"
ACTIVE_NOT_DELETED = (
    "“%s” is the active ticket template and cannot be deleted."
    " Make another template active first."
)


class TextWithNewlines(forms.CharField):
    """A textarea's text with the browser's CRLF line ends made plain LF.

    Kept as sent, an untouched body would differ from the stored one and
    count as changed in the history.
    """

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")


class TicketTemplateForm(UnchangedSinceOpened):
    """The template form; a preview request validates it but never saves it."""

    # The admin saves whenever the form is valid. "Preview" posts the same form
    # as "Save" does, so the form reports itself invalid for it: the admin then
    # shows the form again, with what staff typed and the preview below it.
    preview_requested = False
    body = TextWithNewlines(
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text=TicketTemplate._meta.get_field("body").help_text,
    )

    class Meta:
        model = TicketTemplate
        fields = ["name", "subject", "summary", "body"]
        widgets = {
            "subject": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "summary": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }
        labels = {"subject": "Ticket title", "summary": "First line"}
        help_texts = {
            "subject": "The ticket's title in PowerCode (PowerCode calls it the"
            " summary).",
            "summary": "Shown in bold at the top of the ticket's description.",
        }

    def is_valid(self) -> bool:
        return super().is_valid() and not self.preview_requested


@admin.register(TicketTemplate)
class TicketTemplateAdmin(CarriesOpenedVersion, StaffTitles):
    form = TicketTemplateForm
    list_display = ["name", "ticket_title", "is_active", "updated_at"]
    list_display_links = ["name"]
    search_fields = ["name", "subject"]
    readonly_fields = ["is_active"]
    actions = ["activate_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "is_active", "subject", "summary", "body"],
                "description": format_html(
                    "Placeholders for the ticket title, first line and body: "
                    '<code id="ticket-placeholders">{}</code>. Anything else in'
                    " braces is refused when you save.",
                    braced(list(PLACEHOLDERS)),
                ),
            },
        )
    ]

    def get_form(
        self, request: HttpRequest, obj: TicketTemplate | None = None, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, **kwargs)
        form.preview_requested = wants_preview(request)
        return form

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        context["preview_orders"] = recent_preview_orders()
        context["preview_orderref"] = request.POST.get("preview_order", "")
        form = context["adminform"].form
        if wants_preview(request) and not form.errors:
            context["preview"] = preview_ticket(
                form.instance, context["preview_orderref"]
            )
        elif wants_preview(request):
            context["preview_blocked"] = True
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[URLPattern]:
        activate = self.admin_site.admin_view(require_POST(self.activate_view))
        name = self.url_name("activate")
        return [
            path("<path:object_id>/activate/", activate, name=name),
            *super().get_urls(),
        ]

    def url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    @admin.display(description="Ticket title", ordering="subject")
    def ticket_title(self, template: TicketTemplate) -> str:
        return template.subject

    def activate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Make one template active, from the button on its change page."""
        # get_object answers None for an id that is not one, as for a missing one.
        template = self.get_object(request, unquote(object_id))
        if template is None:
            raise Http404("No such ticket template.")
        if not self.has_change_permission(request, template):
            raise PermissionDenied
        self.activate(request, template)
        change_url = reverse(f"admin:{self.url_name('change')}", args=[template.pk])
        return HttpResponseRedirect(change_url)

    @admin.action(
        permissions=["change"], description="Make the selected template active"
    )
    def activate_selected(
        self, request: HttpRequest, queryset: QuerySet[TicketTemplate]
    ) -> None:
        if queryset.count() != 1:
            self.message_user(
                request, "Select exactly one template to make active.", messages.ERROR
            )
            return
        self.activate(request, queryset.get())

    def activate(self, request: HttpRequest, template: TicketTemplate) -> None:
        """Activate template and record it, and the one it replaced, in history."""
        if template.is_active:
            self.message_user(request, f"“{template}” is already the active template.")
            return
        previous = template.activate()
        self.log_change(request, template, "Made the active template.")
        if previous is not None:
            self.log_change(
                request, previous, f"No longer active: “{template}” was made active."
            )
        self.message_user(
            request,
            f"“{template}” is now the active template; the next ticket uses it.",
            messages.SUCCESS,
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: TicketTemplate | None = None
    ) -> bool:
        # Hides the Delete link of the active template; delete_view explains why.
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(
        self,
        request: HttpRequest,
        object_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        template = self.get_object(request, unquote(object_id))
        if template is not None and template.is_active:
            self.message_user(request, ACTIVE_NOT_DELETED % template, messages.ERROR)
            change_url = reverse(f"admin:{self.url_name('change')}", args=[template.pk])
            return HttpResponseRedirect(change_url)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions[name] = (self.delete_unless_active, name, description)
        return actions

    @staticmethod
    def delete_unless_active(
        modeladmin: TicketTemplateAdmin,
        request: HttpRequest,
        queryset: QuerySet[TicketTemplate],
    ) -> TemplateResponse | None:
        """Django's bulk delete, refused when the active template is selected."""
        active = queryset.filter(is_active=True).first()
        if active is not None:
            modeladmin.message_user(
                request, ACTIVE_NOT_DELETED % active, messages.ERROR
            )
            return None
        return delete_selected(modeladmin, request, queryset)


def wants_preview(request: HttpRequest) -> bool:
    return request.method == "POST" and PREVIEW_BUTTON in request.POST
