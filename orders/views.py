"""HTTP views: the Utopia webhook."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from orders.intake import IncomingWebhook, receive_webhook


@csrf_exempt
def api_callback(request: HttpRequest) -> JsonResponse:
    """Take a Utopia webhook delivery: store it, answer at once."""
    try:
        body, too_large = request.body, False
    except RequestDataTooBig:
        # Django refuses to read it; the delivery is still stored, without it.
        body, too_large = b"", True
    incoming = IncomingWebhook(
        method=request.method or "",
        headers=dict(request.headers),
        query=request.GET.dict(),
        body=body,
        remote_addr=client_address(request),
        too_large=too_large,
    )
    answer = receive_webhook(incoming)
    response = JsonResponse(answer.body, status=answer.status)
    if answer.status == 405:
        response["Allow"] = "POST"
    return response


def client_address(request: HttpRequest) -> str | None:
    """The sender's address; behind a trusted proxy, the one it forwarded."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    if remote not in settings.TRUSTED_PROXIES or not forwarded:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote
