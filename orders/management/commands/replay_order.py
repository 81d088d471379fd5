from __future__ import annotations

from uuid import uuid4

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders import pipeline
from orders.models import Order, OrderState
from orders.queue import QueueUnavailable, reopen_order, requeue_order
from orders.upstream import utopia_client
from utopia.client import UtopiaError


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
        orderref = orderref.strip()
        order = Order.objects.filter(orderref=orderref).first() or known_to_utopia(
            orderref
        )
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
        summary = f"Replayed {orderref}: {describe(order)}"
        if order.state == OrderState.FAILED:
            raise CommandError(summary)  # a script sees it did not go through
        self.stdout.write(summary)


def known_to_utopia(orderref: str) -> Order:
    """Store a new order only if Utopia knows it: a mistyped orderref stores nothing."""
    try:
        utopia_client().contract_lookup(orderref)
    except UtopiaError as err:
        raise CommandError(
            f"{orderref} not stored: Utopia answered {err.message}"
        ) from err
    return Order.objects.get_or_create(orderref=orderref)[0]


def describe(order: Order) -> str:
    parts = [str(order.state)]
    if order.powercode_customer_id:
        parts.append(f"PowerCode #{order.powercode_customer_id}")
    if order.ticket_id:
        parts.append(f"ticket #{order.ticket_id}")
    parts += order.failures.filter(resolved=False).values_list("kind", flat=True)
    return ", ".join(parts)
