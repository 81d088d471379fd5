"""Concurrent deliveries and tasks against PostgreSQL: still one customer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from orders import pipeline
from orders.errors import RetryLater
from orders.locks import lock_key
from orders.models import Failure, Order, OrderState, WebhookDelivery
from tests.helpers import post_webhook, webhook_body
from tickets.models import TicketTemplate

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ORDERREF = "UIA202511-040101"


def run_at_once(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(i) in `count` threads released together; return the results."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as err:  # handed to the test, which fails on it
            results[index] = err
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_deliveries_create_one_order_and_one_customer(postgres, upstreams):
    answers = run_at_once(
        8, lambda _: post_webhook(Client(), webhook_body(ORDERREF)).status_code
    )

    assert answers == [200] * 8
    assert Order.objects.count() == 1
    assert Order.objects.get().state == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1
    assert WebhookDelivery.objects.filter(outcome="accepted").count() == 1


def test_simultaneous_tasks_for_one_order_run_it_once(postgres, upstreams):
    order = Order.objects.create(orderref=ORDERREF)

    states = run_at_once(
        6,
        lambda i: pipeline.provision_order(
            order.pk, task_id=f"task-{i}", final_attempt=True
        ),
    )

    assert sorted(map(str, states)) == ["None"] * 5 + ["completed"]
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_two_orders_for_one_site_at_once_make_one_customer(postgres, upstreams):
    second = upstreams.utopia.handle(
        "/spquery/contractlookup",
        json.dumps({"apikey": settings.UTOPIA_API_KEY, "orderref": ORDERREF}).encode(),
    )
    twin = {**json.loads(second[2]), "orderref": "UIA202511-040199"}
    upstreams.utopia.add_order(twin)
    orders = [
        Order.objects.create(orderref=ref) for ref in (ORDERREF, twin["orderref"])
    ]

    states = run_at_once(
        2,
        lambda i: pipeline.provision_order(
            orders[i].pk, task_id=f"task-{i}", final_attempt=True
        ),
    )

    assert sorted(map(str, states)) == ["completed", "duplicate"]
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def test_copy_of_a_task_whose_first_run_is_alive_steps_aside(postgres, upstreams):
    order = Order.objects.create(orderref=ORDERREF)
    pipeline.claim_order(order.pk, "task-1")
    live_run = psycopg.connect(**connection.get_connection_params())
    live_run.execute("SELECT pg_advisory_lock(%s)", [lock_key(f"order:{order.pk}")])

    try:
        with pytest.raises(RetryLater):  # it looks again later
            pipeline.provision_order(order.pk, task_id="task-1", final_attempt=False)
        last_copy = pipeline.provision_order(
            order.pk, task_id="task-1", final_attempt=True
        )
    finally:
        dead_worker = live_run.info.backend_pid
        live_run.close()  # its worker died: the lock goes with the connection
    wait_for_backend_to_end(dead_worker)
    assert last_copy is None
    assert upstreams.utopia.calls == []

    resumed = pipeline.provision_order(order.pk, task_id="task-1", final_attempt=True)

    assert resumed == OrderState.COMPLETED
    assert len(upstreams.powercode_calls("createCustomer")) == 1


def wait_for_backend_to_end(pid: int) -> None:
    """PostgreSQL frees a closed session's locks a moment after the close."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} still alive")


def test_simultaneous_bad_deliveries_are_one_failure_counted_each_time(postgres):
    answers = run_at_once(
        8,
        lambda _: (
            post_webhook(Client(), webhook_body(ORDERREF), token="wrong").status_code
        ),
    )

    failure = Failure.objects.get()
    assert answers == [401] * 8
    assert failure.kind == "invalid_webhook"
    assert failure.occurrences == 8
    assert WebhookDelivery.objects.count() == 8


def test_two_templates_activated_at_once_leave_one_active(postgres):
    templates = [
        TicketTemplate.objects.create(name=f"Rival {i}", subject="s", body="b")
        for i in range(2)
    ]

    for _ in range(5):
        outcomes = run_at_once(2, lambda i: templates[i].activate())

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert TicketTemplate.objects.filter(is_active=True).count() == 1


def test_two_saves_of_one_settings_page_at_once_keep_both_or_warn(postgres):
    from django.forms.models import model_to_dict

    from orders.models import ProvisioningSettings
    from tests.helpers import logged_in

    url = "/admin/orders/provisioningsettings/"
    clients = [logged_in("Administrators") for _ in range(2)]
    page = clients[0].get(url)
    version = page.context["adminform"].form["opened_version"].value()
    row = model_to_dict(ProvisioningSettings.load(), exclude=["id"])
    base = {key: value for key, value in row.items() if value not in ("", None)}
    changes = [{"tag_ids": "11"}, {"email_recipients": "b@example.com"}]

    answers = run_at_once(
        2,
        lambda i: (
            clients[i]
            .post(url, {**base, **changes[i], "opened_version": version})
            .status_code
        ),
    )

    row = ProvisioningSettings.load()
    assert sorted(answers) == [200, 302]  # one saved, one told to reload
    saved = changes[answers.index(302)]
    assert all(str(getattr(row, k)) == v for k, v in saved.items())
