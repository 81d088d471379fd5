"""Small helpers shared by tests."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.test import Client

from orders.intake import NEW_ORDER_MSG


def webhook_body(orderref: str | None, msg: str = NEW_ORDER_MSG) -> str:
    payload: dict[str, Any] = {"event": msg, "msg": msg}
    if orderref is not None:
        payload["orderref"] = orderref
    return json.dumps(payload)


def post_webhook(client: Client, body: str | bytes, *, token: str | None = None):
    """POST a delivery to the webhook as Utopia would, with the shared token."""
    return client.post(
        "/api-callback",
        data=body,
        content_type="application/json",
        headers={
            "X-Webhook-Token": settings.WEBHOOK_SECRET if token is None else token
        },
    )


def logged_in(role: str | None) -> Client:
    """A test client logged in as a new staff member of the role (or none)."""
    from tests.factories import StaffUserFactory

    client = Client()
    client.force_login(StaffUserFactory(role=role))
    return client
