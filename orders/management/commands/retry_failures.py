from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from orders.models import Failure, FailureKind, Order, OrderState
from orders.queue import requeue_orders


class Command(BaseCommand):
    help = "Queue again every order with an unresolved failure, or of one kind."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=FailureKind.values)

    def handle(self, *args: object, kind: str | None, **options: object) -> None:
        failures = Failure.objects.filter(resolved=False, order__isnull=False)
        if kind:
            failures = failures.filter(kind=kind)
        # A received order with a failure was never queued (queue_unavailable).
        orders = Order.objects.filter(
            pk__in=failures.values("order"),
            state__in=[OrderState.FAILED, OrderState.RECEIVED],
        )
        queued = 0
        for order, outcome in requeue_orders(orders):
            if outcome == "queued":
                queued += 1
                self.stdout.write(f"Queued {order.orderref}")
            elif outcome == "skipped":
                self.stdout.write(f"Skipped {order.orderref}: it is {order.state}")
            else:
                self.stdout.write(f"Not queued {order.orderref}: {outcome}")
        self.stdout.write(f"Queued {queued} of {len(orders)} orders with failures.")
