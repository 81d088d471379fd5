"""Measure the webhook's answer time and the pipeline's own cost per order.

Starts gunicorn, a Celery worker and the simulators (answering after --delay
seconds), each in its own process; posts --orders distinct new-order webhooks
one after another, waits for every order to finish, and prints:

- the webhook's time in the server (gunicorn's own measure) and the round trip
  a client sees with a new connection per delivery (p50, p95, p99, max);
- per order, the pipeline's wall time, the time spent waiting on upstream calls
  (calls x delay), and what is left: the pipeline's own cost.

Uses the database and broker the environment names (SQLite and the filesystem
broker by default). Run: `make benchmark` or
`DEBUG=true .venv/bin/python scripts/benchmark_webhook.py --orders 200 --delay 0.2`.
"""

from __future__ import annotations

import argparse
import copy
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from orders.models import Order, OrderStep  # noqa: E402
from orders.models.order import FINAL_STATES  # noqa: E402
from orders.webhook_sender import send_webhook  # noqa: E402
from uac import demo  # noqa: E402
from uac.simulation import SAMPLE_FILE  # noqa: E402

RUN_TAG = time.strftime("%H%M%S")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def synthetic_orders(template: dict, count: int) -> list[dict]:
    """Distinct orders shaped like a sample one, so each makes a new customer."""
    orders = []
    for number in range(count):
        order = copy.deepcopy(template)
        order["orderref"] = f"BENCH{RUN_TAG}-{number:05d}"
        order["address"]["siteid"] = f"BENCH-SITE-{RUN_TAG}-{number}"
        order["customer"]["lastname"] = f"Bench{number}"
        orders.append(order)
    return orders


ACCESS_LOG = Path(settings.VAR_DIR) / "log" / "bench-access.log"


def start_gunicorn(children: demo.ChildProcesses, port: int) -> None:
    ACCESS_LOG.unlink(missing_ok=True)
    children.start(
        "bench-web",
        [sys.executable, "-m", "gunicorn", "uac.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning",
         "--access-logfile", str(ACCESS_LOG), "--access-logformat", "%(U)s %(D)s"],
    )  # fmt: skip
    children.start(
        "bench-worker",
        # Niced as deploy/systemd/uac-worker.service runs it.
        ["nice", "-n", "10", sys.executable, "-m", "celery", "-A", "uac", "worker",
         "--concurrency=4", "-l", "WARNING"],
    )  # fmt: skip


def server_times(skip: int) -> list[float]:
    """Milliseconds gunicorn spent on each webhook, after the first `skip`."""
    lines = ACCESS_LOG.read_text().split("\n")
    micros = [line.split()[1] for line in lines if line.startswith("/api-callback")]
    return [int(value) / 1000 for value in micros[skip:]]


def post_all(url: str, orderrefs: list[str]) -> list[float]:
    timings = []
    for orderref in orderrefs:
        started = time.perf_counter()
        response = send_webhook(url, orderref)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{orderref}: HTTP {response.status_code} {response.text}")
    return timings


def pipeline_costs(orderrefs: list[str], delay: float) -> list[tuple[float, float]]:
    """(wall ms, upstream-wait ms) per order, from its step journal."""
    costs = []
    for order in Order.objects.filter(orderref__in=orderrefs):
        steps = list(OrderStep.objects.filter(order=order).order_by("started_at"))
        wall = (steps[-1].finished_at - steps[0].started_at).total_seconds() * 1000
        calls = sum(len(step.upstream) for step in steps)
        costs.append((wall, calls * delay * 1000))
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=8010)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    samples = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    orders = synthetic_orders(samples["utopia_orders"][0], args.orders)
    orderrefs = [order["orderref"] for order in orders]
    bench_file = Path(settings.VAR_DIR) / "bench-orders.json"
    bench_file.write_text(json.dumps({**samples, "utopia_orders": orders}))

    # Every part runs in its own process, so none of them slows the
    # measuring client down by holding its interpreter.
    children = demo.ChildProcesses()
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        children.start(
            "bench-simulators",
            [sys.executable, "manage.py", "run_simulators",
             f"--delay={args.delay}", f"--sample-file={bench_file}"],
        )  # fmt: skip
        start_gunicorn(children, args.port)
        demo.wait_for_web(base_url, children, timeout=30)
        post_all(f"{base_url}/api-callback", ["WARMUP-1", "WARMUP-2"])
        timings = post_all(f"{base_url}/api-callback", orderrefs)
        finished = demo.wait_for_outcomes(orderrefs, children, timeout=3600)
    finally:
        children.stop()

    report(args, timings, server_times(skip=2), finished, orderrefs)


def spread(values: list[float]) -> str:
    shares = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
    parts = [
        f"{name} {percentile(values, share):.2f}" for name, share in shares.items()
    ]
    return "  ".join([*parts, f"max {max(values):.2f}"])


def report(
    args: argparse.Namespace,
    timings: list[float],
    in_server: list[float],
    finished: list[Order],
    orderrefs: list[str],
) -> None:
    done = [o for o in finished if o.state in FINAL_STATES]
    delay_ms = args.delay * 1000
    print(f"Webhook, {len(timings)} deliveries, upstream delay {delay_ms:.0f} ms")
    print(f"  in the server ms: {spread(in_server)}")
    print(f"  client round trip ms: {spread(timings)}")
    costs = pipeline_costs(orderrefs, args.delay)
    print(f"Pipeline, {len(done)} of {len(orderrefs)} orders finished")
    wall = statistics.median(w for w, _ in costs)
    waiting = statistics.median(u for _, u in costs)
    print(f"  per order ms: wall median {wall:.0f}, upstream wait {waiting:.0f}")
    print(f"  own cost ms: {spread([w - u for w, u in costs])}")


if __name__ == "__main__":
    main()
