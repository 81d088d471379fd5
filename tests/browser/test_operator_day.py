"""An operator's and an administrator's day in the back office, in Chromium."""

from __future__ import annotations

import pytest

from backoffice.roles import ADMINISTRATORS, OPERATORS
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
    screenshot(page, "orders")
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
    assert page.is_visible("#logout-form")
    screenshot(page, "operator-refused-settings")


def test_an_administrator_maps_the_plan_and_the_operator_retries(
    log_in, failed_order, upstreams, screenshot
):
    administrator = log_in(ADMINISTRATORS)
    administrator.click("#orders-serviceplanmapping a")
    administrator.click("text=Add service plan mapping")
    administrator.fill("#id_utopia_product", "10 Gbps")
    administrator.fill("#id_powercode_service_id", "12")
    administrator.click("input[name=_save]")
    administrator.wait_for_selector(".messagelist .success")
    screenshot(administrator, "plan-mapping")

    operator = log_in(OPERATORS)
    operator.goto(f"/admin/orders/order/{failed_order.pk}/change/")
    operator.click("#retry-order")

    operator.wait_for_selector(".messagelist")
    assert "completed" in operator.inner_text(".messagelist")
    assert "Completed" in operator.inner_text(".field-state")
    added = upstreams.powercode_calls("addCustomerService")
    assert [str(call["serviceID"]) for call in added].count("12") == 1
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    screenshot(operator, "order-retried")


def test_an_operator_resolves_a_failure_with_a_note(log_in, upstreams, screenshot):
    unknown = Order.objects.create(orderref="UIA202511-049999")
    provision_order.delay(unknown.pk).get()
    page = log_in(OPERATORS)

    page.click("#orders-failure a")
    assert page.inner_text("#failure-stats [data-stat=unresolved]").strip()
    screenshot(page, "failures")
    row = page.locator("#result_list tr", has_text="UIA202511-049999")
    row.locator("th a").click()  # the kind opens the failure, the orderref its order
    page.fill("#id_note", "Utopia cancelled this order; nothing to do.")
    page.click("#resolve-failure")

    page.wait_for_selector(".messagelist .success")
    failure = unknown.failures.get()
    assert failure.resolved
    assert failure.note == "Utopia cancelled this order; nothing to do."
    assert failure.resolved_by.username == page.text_content("#user-tools strong")
    assert failure.resolved_at is not None
    page.goto("/admin/orders/failure/?status=resolved")
    resolved_row = page.locator("#result_list tr", has_text="UIA202511-049999")
    assert failure.resolved_by.username in resolved_row.inner_text()
    screenshot(page, "failures-resolved")
