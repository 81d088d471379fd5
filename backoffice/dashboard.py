"""What the admin index shows first: today's orders and what waits for staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from orders.models import Failure, Order, OrderState


@dataclass(frozen=True)
class TodaysCounts:
    received: int
    completed: int
    duplicates: int
    failed: int
    unresolved_failures: int


def today_bounds() -> tuple[datetime, datetime]:
    """Today's midnight and tomorrow's in TIME_ZONE, where staff are."""
    today = timezone.localdate()
    # Each midnight made aware on its own, so a DST change day is 23 or 25 h.
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    return start, end


def todays_counts() -> TodaysCounts:
    """Count today's orders by outcome, and every failure still open."""
    since, until = today_bounds()
    finished_today = Q(finished_at__gte=since, finished_at__lt=until)
    counts = Order.objects.aggregate(
        received=Count("pk", filter=Q(received_at__gte=since, received_at__lt=until)),
        completed=Count("pk", filter=finished_today & Q(state=OrderState.COMPLETED)),
        duplicates=Count("pk", filter=finished_today & Q(state=OrderState.DUPLICATE)),
        failed=Count("pk", filter=finished_today & Q(state=OrderState.FAILED)),
    )
    return TodaysCounts(
        **counts, unresolved_failures=Failure.objects.filter(resolved=False).count()
    )


@dataclass(frozen=True)
class CountCard:
    name: str
    label: str
    value: int
    url: str
    attention: bool = False


def count_cards(counts: TodaysCounts) -> list[CountCard]:
    """Each of today's counts, linked to the list of what it counts."""
    # Aware times, so the admin's date filters read them in TIME_ZONE too.
    today, tomorrow = (moment.isoformat() for moment in today_bounds())
    orders = reverse("admin:orders_order_changelist")
    failures = reverse("admin:orders_failure_changelist")

    def finished(state: str) -> str:
        return (
            orders
            + "?"
            + urlencode(
                {
                    "state__exact": state,
                    "finished_at__gte": today,
                    "finished_at__lt": tomorrow,
                }
            )
        )

    received = {"received_at__gte": today, "received_at__lt": tomorrow}
    return [
        CountCard(
            "received", "received", counts.received, f"{orders}?{urlencode(received)}"
        ),
        CountCard("completed", "completed", counts.completed, finished("completed")),
        CountCard("duplicates", "duplicates", counts.duplicates, finished("duplicate")),
        CountCard(
            "failed", "failed", counts.failed, finished("failed"), counts.failed > 0
        ),
        CountCard(
            "unresolved_failures",
            "unresolved failures (all days)",
            counts.unresolved_failures,
            f"{failures}?resolved__exact=0",
            counts.unresolved_failures > 0,
        ),
    ]
