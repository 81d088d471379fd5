"""HTTP views: the Utopia webhook."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from orders.intake import IncomingWebhook, receive_webhook


@csrf_exempt
def api_callback(request: HttpRequest) -> JsonResponse:
    """Take a Utopia webhook delivery: store it, answer at once."""
    incoming = IncomingWebhook(
        method=request.method or "",
        headers=dict(request.headers),
        query=request.GET.dict(),
        body=request.body,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    answer = receive_webhook(incoming)
    response = JsonResponse(answer.body, status=answer.status)
    if answer.status == 405:
        response["Allow"] = "POST"
    return response
