"""Administrators change settings with history; staff read raw deliveries."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from backoffice.roles import ADMINISTRATORS, OPERATORS
from orders.models import ProvisioningSettings
from tests.helpers import post_webhook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_administrator_changes_the_tags_and_the_history_keeps_it(log_in, screenshot):
    page = log_in(ADMINISTRATORS)
    page.click("#orders-provisioningsettings a")
    secrets = page.inner_text("#environment-secrets")
    assert "PC_API_KEY: set" in secrets
    assert settings.PC_API_KEY not in page.content()
    screenshot(page, "provisioning-settings")

    page.fill("#id_tag_ids", "5, 12")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    page.click("text=History")

    assert ProvisioningSettings.load().tag_id_list() == ["5", "12"]
    assert "Changed Tag ids" in page.inner_text("#change-history")
    screenshot(page, "provisioning-settings-history")


def test_a_bad_delivery_is_kept_with_its_raw_body(log_in, screenshot):
    post_webhook(Client(), '{"msg": "NewOrder", "orderref": ')
    page = log_in(OPERATORS)

    page.click("#orders-webhookdelivery a")
    page.click("#result_list tbody tr th a")

    body = page.inner_text(".field-body_text")
    assert '{"msg": "NewOrder", "orderref": ' in body
    assert "not a JSON object" in page.inner_text(".field-reason_text")
    screenshot(page, "webhook-delivery")
