from __future__ import annotations

from django.core.management.base import BaseCommand

from orders.queue import requeue_orders, stalled_orders


class Command(BaseCommand):
    help = "Queue again the orders left waiting unqueued or by a worker that died."

    def handle(self, *args: object, **options: object) -> None:
        orders = list(stalled_orders())
        queued = 0
        for order, outcome in requeue_orders(orders):
            if outcome == "queued":
                queued += 1
                self.stdout.write(f"Queued {order.orderref} (was {order.state})")
            elif outcome == "skipped":
                self.stdout.write(f"Skipped {order.orderref}: it moved meanwhile")
            else:
                self.stdout.write(f"Not queued {order.orderref}: {outcome}")
        self.stdout.write(f"Queued {queued} of {len(orders)} stalled orders.")
