from __future__ import annotations

from django.core.management.base import BaseCommand

from orders.management.requeueing import requeue_and_report
from orders.queue import stalled_orders


class Command(BaseCommand):
    help = "Queue again the orders left waiting unqueued or by a worker that died."

    def handle(self, *args: object, **options: object) -> None:
        requeue_and_report(self, list(stalled_orders()), "stalled orders")
