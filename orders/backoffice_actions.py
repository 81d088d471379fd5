"""What staff do to orders and failures, from the admin pages and the JSON API.

The admin classes and the API views only call these and show the answer; the
retry always goes through orders.queue, the same Celery pipeline as a webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from orders.models import Failure, Order, OrderState
from orders.models.order import FINAL_STATES
from orders.queue import (
    QUEUE_DOWN_MESSAGE,
    QueueUnavailable,
    park_order,
    requeue_order,
)

logger = logging.getLogger(__name__)

ResolveResult = Literal["resolved", "recurred", "already_resolved"]

NO_ORDER_TEXT = (
    "came from a webhook without a usable orderref: there is no order to retry."
    " Resolve or delete it; if Utopia has the order, provision it by its orderref."
)


@dataclass(frozen=True)
class RetryOutcome:
    """What became of one order a staff member retried, in words for them."""

    queued: bool
    text: str
    warning: bool = False
    queue_down: bool = False

    @property
    def history(self) -> str:
        """The admin history's line for it; empty when nothing was done."""
        if self.queued:
            return "Retried."
        return "Retry not queued: the work queue was down." if self.queue_down else ""


@dataclass
class ResolveReport:
    resolved: list[Failure] = field(default_factory=list)
    recurred: list[Failure] = field(default_factory=list)
    already_resolved: list[Failure] = field(default_factory=list)


def retry_order(order: Order) -> RetryOutcome:
    """Send an order through the pipeline again and say what became of it."""
    try:
        queued = requeue_order(order)
    except QueueUnavailable as err:
        text = f"{order.orderref}: {err}"
        return RetryOutcome(False, text, warning=True, queue_down=True)

    order.refresh_from_db()
    if not queued:
        return RetryOutcome(False, not_queued_text(order), warning=True)
    return RetryOutcome(True, retried_text(order))


def retry_orders(orders: Iterable[Order]) -> list[tuple[Order, RetryOutcome]]:
    """Retry each order; once the queue is found down, the rest only wait.

    Each try at a broker that does not answer costs seconds: a bulk retry
    of hundreds would outlast the web request. The orders left waiting are
    queued by the sweep (requeue_stalled) once the queue is back.
    """
    results = []
    queue_down = False
    for order in orders:
        outcome = park(order) if queue_down else retry_order(order)
        queue_down = queue_down or outcome.queue_down
        results.append((order, outcome))
    return results


def park(order: Order) -> RetryOutcome:
    if not park_order(order):
        order.refresh_from_db()
        return RetryOutcome(False, not_queued_text(order), warning=True)
    text = f"{order.orderref}: {QUEUE_DOWN_MESSAGE}"
    return RetryOutcome(False, text, warning=True, queue_down=True)


def not_queued_text(order: Order) -> str:
    if order.state == OrderState.PROCESSING:
        return (
            f"{order.orderref} is being processed by a worker right now and was not"
            " queued again. Reload the page in a moment for the outcome."
        )
    return f"{order.orderref} is {order.get_state_display().lower()}: nothing to retry."


def retried_text(order: Order) -> str:
    # With an idle worker (or eager tasks) the outcome is known at once;
    # otherwise the order still waits for its worker.
    if order.state == OrderState.FAILED:
        return f"Retried {order.orderref}: it failed again; see its failures."
    if order.state in FINAL_STATES:
        return (
            f"Retried {order.orderref}: it is now {order.get_state_display().lower()}."
        )
    return (
        f"Queued {order.orderref} again: a worker is on it. Reload the page to see"
        " the outcome."
    )


def retry_summary(outcomes: list[RetryOutcome]) -> str:
    """One line for a bulk retry: how many were queued, and the queue if down."""
    if not outcomes:
        return "No order to retry."
    queued = sum(outcome.queued for outcome in outcomes)
    text = f"Queued {queued} of {len(outcomes)} orders."
    down = sum(outcome.queue_down for outcome in outcomes)
    if down:
        text += (
            f" {down} not queued: the work queue is unavailable; they are tried"
            " again automatically."
        )
    return text


def retry_failures(
    failures: Iterable[Failure],
) -> tuple[list[tuple[Order, RetryOutcome]], int]:
    """Retry the orders of these failures, each once; count those with none."""
    orders: dict[int, Order] = {}
    without_order = 0
    for failure in failures:
        if failure.order is None:
            without_order += 1
        else:
            orders.setdefault(failure.order.pk, failure.order)
    return retry_orders(orders.values()), without_order


def retry_failure(failure: Failure) -> RetryOutcome:
    """Retry the order a failure belongs to; an intake failure has none."""
    if failure.order is None:
        return RetryOutcome(False, f"This failure {NO_ORDER_TEXT}", warning=True)
    return retry_order(failure.order)


def resolve_unless_recurred(
    failure: Failure,
    *,
    user: AbstractBaseUser | None,
    note: str,
    seen_last_seen: datetime | None,
) -> ResolveResult:
    """Resolve a failure, unless it came back after staff last looked at it.

    The check and the write are one conditional UPDATE, so a failure that recurs
    at the same moment is never resolved unseen.
    """
    open_failures = Failure.objects.filter(pk=failure.pk, resolved=False)
    if seen_last_seen is not None:
        open_failures = open_failures.filter(last_seen=seen_last_seen)
    changes: dict[str, object] = {
        "resolved": True,
        "resolved_by": user if user is not None and user.pk else None,
        "resolved_at": timezone.now(),
    }
    if note:
        changes["note"] = note
    updated = open_failures.update(**changes)

    failure.refresh_from_db()
    if updated:
        logger.info("failure %s resolved by staff", failure.pk)
        return "resolved"
    return "already_resolved" if failure.resolved else "recurred"


def resolve_failures(
    failures: Iterable[Failure],
    *,
    user: AbstractBaseUser | None,
    note: str,
    seen: dict[int, datetime] | None = None,
) -> ResolveReport:
    """Resolve each failure with one note; any that recurred since seen stays open."""
    report = ResolveReport()
    for failure in failures:
        seen_last_seen = None if seen is None else seen.get(failure.pk)
        result = resolve_unless_recurred(
            failure, user=user, note=note, seen_last_seen=seen_last_seen
        )
        getattr(report, result).append(failure)
    return report


def resolve_orderref(orderref: str, *, user: AbstractBaseUser, note: str) -> int:
    """Resolve every open failure of an orderref, for the JSON API; count them."""
    failures = list(Failure.objects.filter(orderref=orderref, resolved=False))
    report = resolve_failures(failures, user=user, note=note)
    if report.resolved:
        log_staff_action(user, report.resolved, CHANGE, "Resolved through the API.")
    return len(report.resolved)


def delete_orderref(
    orderref: str, *, user: AbstractBaseUser, include_resolved: bool = False
) -> int:
    """Delete an orderref's open failures (or all of them), for the JSON API."""
    failures = Failure.objects.filter(orderref=orderref)
    if not include_resolved:
        failures = failures.filter(resolved=False)
    with transaction.atomic():
        doomed = list(failures.select_for_update())
        if doomed:
            log_staff_action(user, doomed, DELETION, "Deleted through the API.")
            Failure.objects.filter(pk__in=[f.pk for f in doomed]).delete()
    logger.info("%s failures of %s deleted by staff", len(doomed), orderref)
    return len(doomed)


def log_staff_action(
    user: AbstractBaseUser, objects: list[Failure], flag: int, message: str
) -> None:
    """Write the admin history entries, as the admin does for its own changes."""
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=objects, action_flag=flag, change_message=message
    )
