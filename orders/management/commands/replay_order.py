from __future__ import annotations

from uuid import uuid4

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders import pipeline
from orders.models import Order
from orders.queue import QueueUnavailable, reopen_order, requeue_order


class Command(BaseCommand):
    help = "Fetch an order from Utopia again and provision it, resuming."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("orderref")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Hand the order to the workers instead of running it here.",
        )

    def handle(
        self, *args: object, orderref: str, queue: bool, **options: object
    ) -> None:
        order, _ = Order.objects.get_or_create(orderref=orderref.strip())
        if queue:
            try:
                queued = requeue_order(order, refetch=True)
            except QueueUnavailable as err:
                raise CommandError(f"{orderref}: {err}") from err
            if not queued:
                raise CommandError(f"{orderref} is {order.state}: nothing to replay.")
            self.stdout.write(f"Queued {orderref}.")
            return

        if not reopen_order(order):
            raise CommandError(f"{orderref} is {order.state}: nothing to replay.")
        # One attempt, here and now: a fault is reported at once rather than
        # retried without a pause; --queue leaves the retries to the workers.
        pipeline.provision_order(
            order.pk, task_id=f"replay-{uuid4()}", final_attempt=True, refetch=True
        )
        order.refresh_from_db()
        self.stdout.write(f"Replayed {orderref}: {describe(order)}")


def describe(order: Order) -> str:
    parts = [str(order.state)]
    if order.powercode_customer_id:
        parts.append(f"PowerCode #{order.powercode_customer_id}")
    if order.ticket_id:
        parts.append(f"ticket #{order.ticket_id}")
    parts += order.failures.filter(resolved=False).values_list("kind", flat=True)
    return ", ".join(parts)
