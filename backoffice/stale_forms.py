"""Refuse a save made from a page opened before someone else saved the row.

The page carries a digest of the row as it showed it. The admin loads the row
again to save it, so a different digest then means another save came between:
the form is shown again with a warning instead of undoing the other change.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

VERSION_FIELD = "opened_version"
STALE_TEXT = (
    "Someone saved a change here after you opened this page, so yours was not"
    " saved. Reload the page to see theirs, then make your change again."
)


def row_version(instance: Model, fields: list[str]) -> str:
    """A digest of the fields' values as the row holds them; empty for a new row."""
    if instance.pk is None:
        return ""
    values = "\x1f".join(repr(getattr(instance, name, None)) for name in fields)
    return hashlib.sha256(values.encode()).hexdigest()[:32]


class UnchangedSinceOpened(forms.ModelForm):
    """A model form that will not save over a change made since it was shown."""

    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version_now = row_version(self.instance, self.guarded_fields())
        self.fields[VERSION_FIELD].initial = self.version_now

    @property
    def changed_data(self) -> list[str]:
        # The version is the page's, not the row's: never a change to record.
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def guarded_fields(self) -> list[str]:
        """The fields another save may have changed; the form's own by default."""
        return list(self._meta.fields or [])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name = self.add_prefix(VERSION_FIELD)
        # A page always sends it; a form posted without one is not a page's.
        if name not in self.data:
            return cleaned
        if self.data[name] != self.version_now:
            # Refused again until the page is reloaded: it still shows this
            # person's old values, and a second Save would put them back.
            raise forms.ValidationError(STALE_TEXT)
        return cleaned


class CarriesOpenedVersion(admin.ModelAdmin):
    """Puts the form's hidden version on the change page, in the last fieldset.

    A POST locks the row from loading it to saving it (the admin runs a change
    in one transaction), so two saves of one page take turns and the second
    one's check sees the first one's change.
    """

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Model | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is None or request.method != "POST":
            return obj
        if not transaction.get_connection().in_atomic_block:
            return obj
        # Read again under the lock: what a save that came first has written.
        return type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)

    def get_fieldsets(
        self, request: HttpRequest, obj: Model | None = None
    ) -> list[tuple[str | None, dict[str, Any]]]:
        fieldsets = list(super().get_fieldsets(request, obj))
        listed = [f for _, options in fieldsets for f in flat(options["fields"])]
        if obj is None or VERSION_FIELD in listed:
            return fieldsets
        name, options = fieldsets[-1]
        fields = [*options["fields"], VERSION_FIELD]
        return [*fieldsets[:-1], (name, {**options, "fields": fields})]


def flat(fields: list[Any]) -> list[str]:
    return [f for item in fields for f in (item if isinstance(item, tuple) else [item])]
