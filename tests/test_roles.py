"""Operators and administrators see what their role allows; the index counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Failure, FailureKind, Order, OrderState
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

SETTINGS_PAGES = [
    "admin:orders_serviceplanmapping_changelist",
    "admin:orders_alwaysaddedfee_changelist",
    "admin:orders_provisioningsettings_changelist",
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
]
OPERATOR_PAGES = [
    "admin:orders_order_changelist",
    "admin:orders_failure_changelist",
    "admin:orders_webhookdelivery_changelist",
    "admin:tickets_tickettemplate_changelist",
]


@pytest.mark.parametrize("page", SETTINGS_PAGES)
def test_an_operator_is_refused_settings_pages(operator_client, page):
    assert operator_client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", OPERATOR_PAGES)
def test_an_operator_opens_the_daily_pages(operator_client, page):
    assert operator_client.get(reverse(page)).status_code == 200


@pytest.mark.parametrize("page", SETTINGS_PAGES + OPERATOR_PAGES)
def test_an_administrator_opens_every_page(administrator_client, page):
    assert administrator_client.get(reverse(page)).status_code == 200


def test_the_index_lists_settings_only_for_administrators(
    operator_client, administrator_client
):
    settings_url = reverse("admin:orders_provisioningsettings_changelist")

    operator_index = operator_client.get(reverse("admin:index")).content.decode()
    admin_index = administrator_client.get(reverse("admin:index")).content.decode()

    assert settings_url not in operator_index
    assert reverse("admin:orders_order_changelist") in operator_index
    assert settings_url in admin_index


def test_the_index_counts_todays_orders_and_open_failures(admin_client):
    now = timezone.now()
    for state in [OrderState.COMPLETED, OrderState.COMPLETED, OrderState.DUPLICATE]:
        OrderFactory(state=state, finished_at=now)
    failed = OrderFactory(state=OrderState.FAILED, finished_at=now)
    yesterday = OrderFactory(state=OrderState.COMPLETED)
    a_day_ago = now - timedelta(days=1, hours=1)
    Order.objects.filter(pk=yesterday.pk).update(
        received_at=a_day_ago, finished_at=a_day_ago
    )
    Failure.objects.create(
        order=failed, orderref=failed.orderref, kind=FailureKind.TICKET_FAILED
    )
    Failure.objects.create(
        order=yesterday,
        orderref=yesterday.orderref,
        kind=FailureKind.TAGGING_FAILED,
        resolved=True,
    )

    response = admin_client.get(reverse("admin:index"))

    counts = response.context["counts"]
    assert (counts.received, counts.completed, counts.duplicates) == (4, 2, 1)
    assert (counts.failed, counts.unresolved_failures) == (1, 1)
    assert '<span class="count">4</span>received' in response.content.decode()


def test_each_count_links_to_the_orders_it_counts(admin_client):
    OrderFactory(state=OrderState.FAILED, finished_at=timezone.now())
    OrderFactory(state=OrderState.COMPLETED, finished_at=timezone.now())
    cards = admin_client.get(reverse("admin:index")).context["count_cards"]
    failed = next(card for card in cards if card.name == "failed")

    listed = admin_client.get(failed.url)

    assert listed.status_code == 200
    assert [o.state for o in listed.context["cl"].result_list] == ["failed"]


def test_the_index_leaves_celery_task_results_out(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert "Task results" not in body
    assert "Orders" in body
