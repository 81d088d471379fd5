"""The failure pages' forms and filter: the note, and when it was last seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from backoffice.stale_forms import UnchangedSinceOpened
from orders.models import Failure

RECURRED_TEXT = (
    "This failure happened again at {when}, after you opened the page: read it"
    " again (the message may have changed) and resolve it once more if it is"
    " still dealt with."
)
SEEN_FIELD_PREFIX = "seen_"


class StatusFilter(admin.SimpleListFilter):
    """Unresolved failures unless staff ask for the others."""

    title = "status"
    parameter_name = "status"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, str]]:
        return [("unresolved", "Unresolved"), ("resolved", "Resolved"), ("all", "All")]

    def chosen(self) -> str:
        return self.value() or "unresolved"

    def queryset(self, request: HttpRequest, queryset: QuerySet[Failure]) -> QuerySet:
        if self.chosen() == "all":
            return queryset
        return queryset.filter(resolved=self.chosen() == "resolved")

    def choices(self, changelist: Any) -> Any:
        # No "All" entry of Django's own: the default is "Unresolved".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.chosen() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


def parse_seen(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class FailureForm(UnchangedSinceOpened):
    """The note, and when the failure was last seen as the page showed it."""

    # Carried through the page so a failure that recurs meanwhile is not
    # resolved unseen; ISO text keeps the microseconds a datetime input drops.
    seen_last_seen = forms.CharField(widget=forms.HiddenInput, required=False)
    resolving = False  # set per request by FailureAdmin.get_form

    class Meta:
        model = Failure
        fields = ["note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_last_seen"].initial = self.instance.last_seen.isoformat()

    def guarded_fields(self) -> list[str]:
        # A note or resolution from an old page must not replace a newer one;
        # a recurrence (last_seen) has its own check and message below.
        return ["note", "resolved", "resolved_at"]

    def clean_seen_last_seen(self) -> datetime | None:
        return parse_seen(self.cleaned_data["seen_last_seen"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.resolving:
            return cleaned
        if not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say what was done about it, for the others.")
        current = self.instance.last_seen
        if cleaned.get("seen_last_seen") != current:
            # Shown again with the new last_seen: the next submit is informed.
            self.data = self.data.copy()
            self.data[self.add_prefix("seen_last_seen")] = current.isoformat()
            when = timezone.localtime(current).strftime("%Y-%m-%d %H:%M:%S")
            raise forms.ValidationError(RECURRED_TEXT.format(when=when))
        return cleaned


class BulkResolveForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "id": "bulk-note"}),
        help_text="What was done about them; kept on each failure.",
    )


def seen_in(request: HttpRequest) -> dict[int, datetime]:
    """The last_seen of each failure as the confirmation page showed it."""
    seen = {}
    for name, value in request.POST.items():
        pk = name.removeprefix(SEEN_FIELD_PREFIX)
        when = parse_seen(value)
        if pk != name and pk.isdigit() and when is not None:
            seen[int(pk)] = when
    return seen
