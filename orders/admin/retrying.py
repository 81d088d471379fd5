"""The Retry button and action that order and failure pages share."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse

from orders.backoffice_actions import RetryOutcome, retry_summary

# At most this many orders of a bulk retry are reported one by one.
RETRY_DETAILS_SHOWN = 10


class RetryButton(admin.ModelAdmin):
    """A POST-only "<pk>/retry/" page behind the Retry button on a change page."""

    def get_urls(self) -> list[URLPattern]:
        retry = path(
            "<path:object_id>/retry/",
            self.admin_site.admin_view(self.retry_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_retry",
        )
        return [retry, *super().get_urls()]

    def retry_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Retry the object's order, then show its page with what became of it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied

        outcome = self.retry_object(request, obj)
        level = messages.WARNING if outcome.warning else messages.SUCCESS
        self.message_user(request, outcome.text, level)
        change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        return redirect(reverse(change, args=[obj.pk]))

    def retry_object(self, request: HttpRequest, obj: Model) -> RetryOutcome:
        """Retry what obj stands for; log it in the admin history."""
        raise NotImplementedError

    def log_retries(
        self, request: HttpRequest, retried: Iterable[tuple[Model, RetryOutcome]]
    ) -> None:
        """Note in each order's history what its retry did, if it did anything."""
        for order, outcome in retried:
            if outcome.history:
                self.log_change(request, order, outcome.history)

    def report_retries(
        self,
        request: HttpRequest,
        outcomes: list[RetryOutcome],
        *,
        also: str = "",
        warning: bool = False,
    ) -> None:
        """One summary line for a bulk retry, then the first orders one by one."""
        warning = warning or any(outcome.queue_down for outcome in outcomes)
        text = f"{retry_summary(outcomes)} {also}".strip()
        self.message_user(request, text, messages.WARNING if warning else messages.INFO)
        for outcome in outcomes[:RETRY_DETAILS_SHOWN]:
            self.message_user(request, outcome.text, messages.INFO)
