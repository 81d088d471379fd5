"""Counts of failures by kind, for the admin's failure list and the JSON API."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Q, Sum

from orders.models import Failure, FailureKind


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    total: int
    unresolved: int
    occurrences: int  # every time a failure of this kind happened, resolved or not


@dataclass(frozen=True)
class FailureStats:
    total: int
    unresolved: int
    occurrences: int
    # Times a failure came back after it was first recorded.
    recurrences: int
    by_kind: list[KindCount]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_kind"] = {
            count.pop("kind"): count for count in data["by_kind"]
        }  # keyed by kind, as scripts look a kind up
        return data


def failure_stats() -> FailureStats:
    """Count failures, open ones and occurrences, overall and by kind."""
    rows = (
        Failure.objects.order_by()
        .values("kind")
        .annotate(
            total=Count("pk"),
            unresolved=Count("pk", filter=Q(resolved=False)),
            occurrences=Sum("occurrences"),
        )
    )
    labels = dict(FailureKind.choices)
    by_kind = sorted(
        (
            KindCount(
                kind=row["kind"],
                label=labels.get(row["kind"], row["kind"]),
                total=row["total"],
                unresolved=row["unresolved"],
                occurrences=row["occurrences"] or 0,
            )
            for row in rows
        ),
        key=lambda count: (-count.unresolved, -count.total, count.kind),
    )
    total = sum(count.total for count in by_kind)
    occurrences = sum(count.occurrences for count in by_kind)
    return FailureStats(
        total=total,
        unresolved=sum(count.unresolved for count in by_kind),
        occurrences=occurrences,
        recurrences=occurrences - total,
        by_kind=by_kind,
    )
