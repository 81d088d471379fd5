from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from orders.management.requeueing import requeue_and_report
from orders.models import Failure, FailureKind, Order, OrderState


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
        requeue_and_report(self, list(orders), "orders with failures")
