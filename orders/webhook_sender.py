"""Send a webhook to a running UAC the way Utopia does (demo and commands)."""

from __future__ import annotations

import json

import requests
from django.conf import settings

from orders.intake import NEW_ORDER_MSG, SECRET_HEADER


def send_webhook(
    url: str, orderref: str | None, msg: str = NEW_ORDER_MSG
) -> requests.Response:
    """POST one delivery with the shared token; return the answer."""
    body = {"event": msg, "msg": msg}
    if orderref:
        body["orderref"] = orderref
    return requests.post(
        url,
        data=json.dumps(body),
        headers={SECRET_HEADER: settings.WEBHOOK_SECRET},
        timeout=10,
    )
