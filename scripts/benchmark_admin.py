"""Measure the back office's main pages on a database holding many orders.

Migrates the database the environment names (DATABASE_URL; point it at an
empty one), stores --orders orders shaped like a sample one, each with the
seven journal steps a provisioned order has and its webhook delivery, and a
failure for every tenth; then asks each main admin page --repeat times as a
logged-in operator, in this process (no network), and prints for each page
its time (p50, p95, max, in ms) and how many database queries it made.

Run: `make benchmark-admin` or
`DEBUG=true DATABASE_URL=sqlite:///var/bench-admin.sqlite3 \\
    .venv/bin/python scripts/benchmark_admin.py --orders 5000`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uac.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.roles import OPERATORS  # noqa: E402
from orders.models import (  # noqa: E402
    Failure,
    FailureKind,
    Order,
    OrderState,
    OrderStep,
    StepStatus,
    WebhookDelivery,
)
from uac.simulation import SAMPLE_FILE  # noqa: E402

STEPS = [
    "fetch_order",
    "find_existing_customer",
    "create_customer",
    "add_services",
    "open_ticket",
    "tag_customer",
    "notify_staff",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def seed(count: int) -> Order:
    """Store count provisioned-looking orders; return one that failed."""
    sample = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))["utopia_orders"][0]
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(
            orderref=f"BENCH-{number:06d}",
            state=OrderState.FAILED if number % 10 == 0 else OrderState.COMPLETED,
            utopia_data={**sample, "orderref": f"BENCH-{number:06d}"},
            site_id=f"BENCH-SITE-{number}",
            first_name=sample["customer"]["firstname"],
            last_name=f"Bench{number}",
            email=f"bench{number}@example.com",
            city=sample["address"]["city"],
            service_plan="1 Gbps",
            powercode_customer_id=str(100000 + number),
            finished_at=now,
        )
        for number in range(count)
    )
    OrderStep.objects.bulk_create(
        OrderStep(
            order=order,
            name=name,
            status=StepStatus.SUCCEEDED,
            finished_at=now,
            outcome="Done.",
            result={"id": order.pk},
            upstream=[{"call": name, "answer": {"statusCode": 0}}],
        )
        for order in orders
        for name in STEPS
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            method="POST",
            body=json.dumps({"orderref": o.orderref}),
            msg="NewOrder",
            orderref=o.orderref,
            outcome=WebhookDelivery.Outcome.ACCEPTED,
            order=o,
        )
        for o in orders
    )
    failed = [o for o in orders if o.state == OrderState.FAILED]
    Failure.objects.bulk_create(
        Failure(
            order=o,
            orderref=o.orderref,
            kind=FailureKind.TICKET_FAILED,
            message="PowerCode answered 500.",
        )
        for o in failed
    )
    return failed[0]


def pages(order: Order) -> dict[str, str]:
    failure = order.failures.get()
    delivery = order.deliveries.get()
    return {
        "index (today's counts)": "/admin/",
        "orders list": "/admin/orders/order/",
        "orders list, search": "/admin/orders/order/?q=Bench4242",
        "orders list, failed": "/admin/orders/order/?state__exact=failed",
        "order page": f"/admin/orders/order/{order.pk}/change/",
        "failures list": "/admin/orders/failure/",
        "failure page": f"/admin/orders/failure/{failure.pk}/change/",
        "deliveries list": "/admin/orders/webhookdelivery/",
        "delivery page": f"/admin/orders/webhookdelivery/{delivery.pk}/change/",
        "ticket templates": "/admin/tickets/tickettemplate/",
        "failure API stats": "/api/failures/stats",
    }


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if Order.objects.exists():
        raise SystemExit("The database already holds orders: give an empty one.")
    started = time.perf_counter()
    order = seed(args.orders)
    print(f"Stored {args.orders} orders in {time.perf_counter() - started:.1f} s")

    operator = User.objects.create(username="bench-operator", is_staff=True)
    operator.groups.add(Group.objects.get(name=OPERATORS))
    client = Client(HTTP_HOST="localhost")
    client.force_login(operator)
    print(f"\n{'page':<24} {'p50':>7} {'p95':>7} {'max':>7} {'queries':>8}")
    for name, url in pages(order).items():
        times, queries = measure(client, url, args.repeat)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"{name:<24} {p50:7.1f} {p95:7.1f} {max(times):7.1f} {queries:8d}")
    print(f"\nms per page over {args.repeat} requests, {connection.vendor}")


if __name__ == "__main__":
    main()
