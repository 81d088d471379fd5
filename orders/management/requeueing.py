"""What the requeueing commands print: a line an order, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.base import BaseCommand

from orders.models import Order
from orders.queue import requeue_orders


def requeue_and_report(
    command: BaseCommand, orders: Sequence[Order], what: str
) -> None:
    """Queue each order again and tell how each went; the last line sums up."""
    queued = 0
    for order, outcome in requeue_orders(orders):
        if outcome == "queued":
            queued += 1
            command.stdout.write(f"Queued {order.orderref} (was {order.state})")
        elif outcome == "skipped":
            command.stdout.write(f"Skipped {order.orderref}: it moved on meanwhile")
        else:
            command.stdout.write(f"Not queued {order.orderref}: {outcome}")
    command.stdout.write(f"Queued {queued} of {len(orders)} {what}.")
