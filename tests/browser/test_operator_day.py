"""An operator's and an administrator's day in the back office, in Chromium."""

from __future__ import annotations

import pytest

from backoffice.roles import OPERATORS
from orders.models import Order
from orders.tasks import provision_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UNMAPPED_ORDER = "UIA202511-040103"


@pytest.fixture
def failed_order(upstreams) -> Order:
    order = Order.objects.create(orderref=UNMAPPED_ORDER)
    provision_order.delay(order.pk).get()
    order.refresh_from_db()
    assert order.state == "failed"
    return order


def test_an_operator_finds_a_failed_order(log_in, failed_order, screenshot):
    page = log_in(OPERATORS)
    screenshot(page, "index")

    page.click("#orders-order a")
    page.fill("#searchbar", failed_order.last_name)
    page.press("#searchbar", "Enter")
    page.click(f"text={UNMAPPED_ORDER}")

    assert page.locator("#content h2, #content").first.inner_text()
    assert "create_customer" in page.content()
    screenshot(page, "order")


def test_an_operator_is_refused_the_settings(log_in, screenshot):
    page = log_in(OPERATORS)

    assert "Service plan mappings" not in page.inner_text("#content-main")
    response = page.goto("/admin/orders/serviceplanmapping/")

    assert response.status == 403
    assert "not open to you" in page.inner_text("#content-main")
    screenshot(page, "operator-refused-settings")
