"""Webhooks over HTTP, a real Celery worker on Redis, PostgreSQL, and SMTP."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import requests

from orders.models import Order, OrderStep
from orders.models.order import FINAL_STATES
from orders.webhook_sender import send_webhook
from tests.conftest import SAMPLE_FILE

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EXPECTED = json.loads(SAMPLE_FILE.read_text())["expected"]


def wait_for_final_states(
    orderrefs: list[str], timeout: float = 60
) -> dict[str, Order]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        orders = {o.orderref: o for o in Order.objects.filter(orderref__in=orderrefs)}
        if len(orders) == len(orderrefs) and all(
            o.state in FINAL_STATES for o in orders.values()
        ):
            return orders
        time.sleep(0.2)
    states = dict(Order.objects.values_list("orderref", "state"))
    raise AssertionError(f"orders did not finish in time: {states}")


def test_sample_orders_reach_their_outcomes_through_a_real_worker(
    live_server, celery_worker, http_upstreams, smtp_server
):
    catcher, _ = smtp_server
    url = f"{live_server.url}/api-callback"

    answers = [send_webhook(url, orderref).status_code for orderref in sorted(EXPECTED)]
    orders = wait_for_final_states(sorted(EXPECTED))

    assert answers == [200] * len(EXPECTED)
    for orderref, expected in EXPECTED.items():
        order = orders[orderref]
        kinds = set(order.failures.values_list("kind", flat=True))
        assert order.state == expected["state"], orderref
        assert kinds == ({expected["failure"]} if "failure" in expected else set())
    assert len(http_upstreams.powercode.customers) == 2 + 5
    # Every outcome but the routine "unknown to Utopia" one is emailed over SMTP.
    deadline = time.monotonic() + 10
    while len(catcher.messages) < len(EXPECTED) - 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(catcher.messages) == len(EXPECTED) - 1
    assert any("Possible duplicate: Robert Smith" in s for s in catcher.subjects())


def test_simultaneous_deliveries_of_one_order_make_one_customer(
    live_server, celery_worker, http_upstreams
):
    from concurrent.futures import ThreadPoolExecutor

    url = f"{live_server.url}/api-callback"
    orderref = "UIA202511-040101"
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: send_webhook(url, orderref), range(6)))
    orders = wait_for_final_states([orderref])

    assert [a.status_code for a in answers] == [200] * 6
    assert orders[orderref].state == "completed"
    created = [c for c in http_upstreams.powercode.calls if c[0] == "createCustomer"]
    assert len(created) == 1


@pytest.mark.parametrize(
    ("step", "state", "failure"),
    [
        ("create_customer", "completed", None),
        ("add_services", "failed", "unconfirmed_call"),
        ("open_ticket", "failed", "unconfirmed_call"),
    ],
)
def test_worker_process_killed_mid_call_does_nothing_twice(
    live_server, celery_worker, http_upstreams, step, state, failure
):
    orderref = "UIA202511-040102"
    # PowerCode acts at once and answers 1.5 s later: time to kill the worker
    # while the call it made is done but not yet answered.
    http_upstreams.powercode.delay = 1.5
    send_webhook(f"{live_server.url}/api-callback", orderref)

    deadline = time.monotonic() + 30
    while not OrderStep.objects.filter(
        order__orderref=orderref, name=step, result__has_key="sending"
    ).exists():
        assert time.monotonic() < deadline, f"the order never reached {step}"
        time.sleep(0.05)
    killed = celery_worker.pool_children()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    http_upstreams.powercode.delay = 0

    order = wait_for_final_states([orderref], timeout=60)[orderref]

    powercode = http_upstreams.powercode
    services = [s["serviceID"] for s in powercode.services[order.powercode_customer_id]]
    assert killed
    assert order.runs >= 2  # the message came back after the kill
    assert order.state == state
    assert list(order.failures.values_list("kind", flat=True)) == (
        [failure] if failure else []
    )
    assert [c[0] for c in powercode.calls].count("createCustomer") == 1
    assert len(powercode.tickets) <= 1
    assert sorted(services) == sorted(set(services))


def test_webhook_answers_while_the_upstreams_are_down(live_server, celery_worker):
    # The upstreams of this test are never started: the answer cannot wait on them.
    response = requests.post(
        f"{live_server.url}/api-callback",
        data=json.dumps({"msg": "Project New Order", "orderref": "UIA202511-040104"}),
        headers={
            "X-Webhook-Token": os.environ.get("WEBHOOK_SECRET", "demo-webhook-secret")
        },
        timeout=5,
    )
    assert response.status_code == 200
