"""The Flask app's failure endpoints, as JSON, for staff and their scripts.

Staff are known by their admin session (which must then send the CSRF token
on a change) or by HTTP Basic credentials of a staff user, which need no
token: a browser never sends those on its own, because a refusal never asks
for them (no WWW-Authenticate challenge, so none are cached either).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from orders.backoffice_actions import delete_orderref, resolve_orderref
from orders.failure_stats import failure_stats
from orders.models import Failure
from uac.masking import mask_secrets, mask_text

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TRUE_WORDS = ("1", "true", "yes", "on")

StaffView = Callable[..., JsonResponse]


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


class CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering with the reason instead of a page."""

    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason


def csrf_refusal(request: HttpRequest) -> str | None:
    """Why a session request fails the CSRF check, or None when it passes."""
    check = CsrfCheck(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """Username and password of an Authorization: Basic header, if any."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    username, _, password = decoded.partition(":")
    return username, password


def requesting_user(request: HttpRequest) -> tuple[AbstractBaseUser | None, bool]:
    """The user the request comes from, and whether by Basic credentials."""
    credentials = basic_credentials(request)
    if credentials is None:
        user = request.user
        return (user if user.is_authenticated else None), False
    user = authenticate(request, username=credentials[0], password=credentials[1])
    if user is not None and not user.is_staff:
        # Answered as a wrong password, so the API tells no one whose it is.
        user = None
    if user is None:
        logger.warning("failure API: basic credentials of no staff member")
    return user, True


def staff_endpoint(permission: str, *methods: str) -> Callable[[StaffView], StaffView]:
    """Answer only staff holding the permission, with CSRF for sessions."""

    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: StaffView) -> StaffView:
        @csrf_exempt  # checked below, for session requests only
        @wraps(view)
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in allowed:
                response = error(405, f"Use {' or '.join(methods)}.")
                response["Allow"] = ", ".join(allowed)
                return response
            user, by_basic = requesting_user(request)
            if user is None:
                return error(401, "Log in as staff, or send HTTP Basic credentials.")

            refusal = None if by_basic else unsafe_csrf_refusal(request)
            if refusal:
                return error(403, f"CSRF check failed: {refusal}")
            if not (user.is_active and user.is_staff):
                return error(403, "Only staff may use this API.")
            if not user.has_perm(permission):
                return error(403, f"You lack the permission {permission}.")
            return view(request, user, *args, **kwargs)

        return endpoint

    return decorate


def unsafe_csrf_refusal(request: HttpRequest) -> str | None:
    return None if request.method in SAFE_METHODS else csrf_refusal(request)


def local_time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def failure_json(failure: Failure) -> dict[str, Any]:
    """One failure as the API answers it; the customer data masked again."""
    return {
        "id": failure.pk,
        "orderref": failure.orderref,
        "kind": failure.kind,
        "message": mask_text(failure.message),
        "customer_data": mask_secrets(failure.customer_data),
        "occurrences": failure.occurrences,
        "first_seen": local_time(failure.first_seen),
        "last_seen": local_time(failure.last_seen),
        "resolved": failure.resolved,
        "resolved_by": failure.resolved_by.get_username()
        if failure.resolved_by
        else None,
        "resolved_at": local_time(failure.resolved_at),
        "note": mask_text(failure.note),
    }


def wants_resolved(request: HttpRequest) -> bool:
    return request.GET.get("include_resolved", "").lower() in TRUE_WORDS


@staff_endpoint("orders.view_failure", "GET")
def list_failures(request: HttpRequest, user: AbstractBaseUser) -> JsonResponse:
    """Open failures, newest first; with ?include_resolved=true all of them."""
    failures = Failure.objects.select_related("resolved_by")
    if not wants_resolved(request):
        failures = failures.filter(resolved=False)
    data = [failure_json(failure) for failure in failures]
    return JsonResponse({"count": len(data), "failures": data})


@staff_endpoint("orders.view_failure", "GET")
def failures_stats(request: HttpRequest, user: AbstractBaseUser) -> JsonResponse:
    """Counts overall and by kind, as the failure list shows them."""
    return JsonResponse(failure_stats().as_json())


@staff_endpoint("orders.change_failure", "POST")
def resolve_failures(
    request: HttpRequest, user: AbstractBaseUser, orderref: str
) -> JsonResponse:
    """Resolve every open failure of an orderref with the note sent."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return error(400, 'Send JSON, such as {"note": "Fixed in PowerCode"}.')
    note = body.get("note", "") if isinstance(body, dict) else None
    if not isinstance(note, str):
        return error(400, '"note" must be text.')
    if not note.strip():
        # As on the failure page: the others need to know what was done.
        return error(400, 'Send a "note" saying what was done about it.')
    if not Failure.objects.filter(orderref=orderref).exists():
        return error(404, f"No failure for {orderref}.")

    count = resolve_orderref(orderref, user=user, note=note)
    return JsonResponse({"orderref": orderref, "resolved": count})


@staff_endpoint("orders.delete_failure", "DELETE")
def delete_failures(
    request: HttpRequest, user: AbstractBaseUser, orderref: str
) -> JsonResponse:
    """Delete an orderref's open failures (with ?include_resolved=true, all)."""
    if not Failure.objects.filter(orderref=orderref).exists():
        return error(404, f"No failure for {orderref}.")
    count = delete_orderref(
        orderref, user=user, include_resolved=wants_resolved(request)
    )
    return JsonResponse({"orderref": orderref, "deleted": count})
