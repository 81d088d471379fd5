"""Staff look orders and customers up upstream, in Chromium."""

from __future__ import annotations

import pytest

from backoffice.roles import ADMINISTRATORS, OPERATORS
from orders.models import Order, OrderState, ServicePlanMapping

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UNMAPPED_ORDER = "UIA202511-040103"


def test_an_operator_provisions_an_unmapped_order_choosing_its_plan(
    log_in, upstreams, screenshot
):
    page = log_in(OPERATORS)
    page.click("text=Utopia lookup")
    page.fill("#id_orderref", UNMAPPED_ORDER)
    page.click("#utopia-lookup-submit")

    assert page.locator("#utopia-items .unmapped").count() == 1
    assert page.is_visible("#uac-order-none")
    screenshot(page, "utopia-lookup")
    gigabit = ServicePlanMapping.objects.get(utopia_product="1 Gbps")
    page.select_option("#id_plan", value=str(gigabit.pk))
    page.click("#provision-now-button")

    page.wait_for_selector(".messagelist")
    order = Order.objects.get(orderref=UNMAPPED_ORDER)
    assert order.state == OrderState.COMPLETED
    assert page.url.endswith(f"/admin/orders/order/{order.pk}/change/")
    added = upstreams.powercode_calls("addCustomerService")
    assert gigabit.powercode_service_id in [str(c["serviceID"]) for c in added]


def test_an_operator_reads_a_powercode_customer_and_its_tags(
    log_in, upstreams, screenshot
):
    page = log_in(OPERATORS)
    page.click("text=PowerCode lookup")
    page.select_option("#id_by", "id")
    page.fill("#id_q", "1001")
    page.click("#powercode-lookup-submit")

    customer = page.locator(".powercode-customer").first
    assert customer.get_attribute("data-customer-id") == "1001"
    screenshot(page, "powercode-lookup")


def test_an_administrator_reads_the_log(log_in, screenshot):
    page = log_in(ADMINISTRATORS)
    page.click("text=Application log")
    page.select_option("#id_level", "WARNING")
    page.click("#log-filter-submit")

    levels = page.locator("#log-lines .log-entry").evaluate_all(
        "entries => entries.map(e => e.dataset.level)"
    )
    assert set(levels) <= {"WARNING", "ERROR", "CRITICAL"}
    screenshot(page, "log")
