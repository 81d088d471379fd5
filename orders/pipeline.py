"""The provisioning pipeline: the one place that knows the order of the steps.

An order is claimed with a conditional UPDATE, so two tasks for one order never
run it at once. Each step is journaled before the next begins; a step that has
succeeded is never run again, so a retry resumes at the first step that has not
succeeded and a late failure never causes a second customer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import F, Q
from django.utils import timezone

from notifications.order_emails import send_outcome_email
from orders.customer_steps import create_customer, find_existing_customer
from orders.errors import STEP_ERRORS, RetryLater, StepError
from orders.failures import record_failure, resolve_order_failures
from orders.journal import (
    StepJournal,
    StepOutcome,
    finish_step,
    start_step,
    succeeded_step,
)
from orders.locks import order_run_lock, site_lock
from orders.models import FailureKind, Order, OrderState, StepStatus
from orders.models.order import FINAL_STATES
from orders.queue import settle_not_queued
from orders.steps import add_services, fetch_order, open_ticket, tag_customer
from utopia.client import UtopiaError

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[..., StepOutcome]
    failure_kind: str


# Without these nothing after them can be done: a failure stops the order.
PREREQUISITE_STEPS = (
    Step("fetch_order", fetch_order, FailureKind.UTOPIA_API_ERROR),
    Step(
        "find_existing_customer",
        find_existing_customer,
        FailureKind.POWERCODE_CREATION_FAILED,
    ),
    Step("create_customer", create_customer, FailureKind.POWERCODE_CREATION_FAILED),
)
# Independent of each other: a failure is recorded and the next step still runs.
FOLLOW_UP_STEPS = (
    Step("add_services", add_services, FailureKind.SERVICES_FAILED),
    Step("open_ticket", open_ticket, FailureKind.TICKET_FAILED),
    Step("tag_customer", tag_customer, FailureKind.TAGGING_FAILED),
)
NOTIFY_STEP = "notify_staff"


@dataclass
class RunResult:
    state: OrderState
    email_staff: bool = True


def provision_order(
    order_id: int, *, task_id: str, final_attempt: bool, refetch: bool = False
) -> OrderState | None:
    """Run an order's pipeline from where it stands; return its new state."""
    with order_run_lock(order_id) as held:
        if not held:
            return step_aside(order_id, final_attempt=final_attempt)
        return run_claimed_order(
            order_id, task_id=task_id, final_attempt=final_attempt, refetch=refetch
        )


def step_aside(order_id: int, *, final_attempt: bool) -> None:
    """Leave an order to the run that holds it; look again later unless done."""
    # The holder is usually alive; but a killed worker's database session can
    # hold the lock a while longer (waiting on the site lock), so the order is
    # looked at again rather than forgotten.
    done = Order.objects.filter(pk=order_id, state__in=FINAL_STATES).exists()
    if done or final_attempt:
        logger.info("order %s held by another run; this copy ends", order_id)
        return None
    raise RetryLater("Another run holds the order; looking again later.")


def run_claimed_order(
    order_id: int, *, task_id: str, final_attempt: bool, refetch: bool
) -> OrderState | None:
    order = claim_order(order_id, task_id)
    if order is None:
        logger.info("order %s not claimed: another run has it or it is done", order_id)
        return None
    settle_not_queued(order)

    result = guarded(
        order,
        lambda: run_steps(order, final_attempt=final_attempt, refetch=refetch),
        on_defect=RunResult(OrderState.FAILED),
    )
    state = guarded(
        order,
        lambda: announce(order, result, final_attempt=final_attempt),
        on_defect=OrderState.FAILED,
    )
    finish_order(order, state)
    logger.info("order %s finished: %s", order.orderref, state)
    return state


def guarded(order: Order, work: Callable[[], T], *, on_defect: T) -> T:
    """Run work; a defect, not an upstream fault, is recorded, never left hanging."""
    try:
        return work()
    except RetryLater:
        raise
    except Exception as err:
        # Recorded so the order does not stay processing; the traceback is in
        # the log for whoever fixes the defect.
        logger.exception("order %s stopped by an unexpected error", order.orderref)
        message = f"{type(err).__name__}: {err}"
        try:
            record_failure(order, FailureKind.INTERNAL_ERROR, message)
        except Exception:
            # The record failed too (the database refused it): the order still
            # ends failed, and the log has both tracebacks.
            logger.exception("order %s failure not recorded", order.orderref)
        return on_defect


def claim_order(order_id: int, task_id: str) -> Order | None:
    """Take the order for this task; None if another task holds it or it is done."""
    claimable = Q(state=OrderState.RECEIVED) | Q(
        state=OrderState.PROCESSING, task_id=task_id
    )
    claimed = Order.objects.filter(claimable, pk=order_id).update(
        state=OrderState.PROCESSING,
        task_id=task_id,
        runs=F("runs") + 1,
        updated_at=timezone.now(),
    )
    return Order.objects.get(pk=order_id) if claimed else None


def run_steps(order: Order, *, final_attempt: bool, refetch: bool) -> RunResult:
    with ExitStack() as held:
        for step in PREREQUISITE_STEPS:
            if step.name == "find_existing_customer":
                # Held from the search until the customer exists: see locks.py.
                held.enter_context(site_lock(order.site_id))
            rerun = refetch and step.name == "fetch_order"
            outcome, error = run_step(
                order, step, final_attempt=final_attempt, rerun=rerun
            )
            if error is not None:
                routine = isinstance(error, UtopiaError) and error.routine
                return RunResult(OrderState.FAILED, email_staff=not routine)
            if outcome.stop_state:
                return RunResult(outcome.stop_state)

    failed = False
    for step in FOLLOW_UP_STEPS:
        outcome, error = run_step(order, step, final_attempt=final_attempt)
        failed = failed or error is not None or outcome.failure is not None
    return RunResult(OrderState.FAILED if failed else OrderState.COMPLETED)


def run_step(
    order: Order, step: Step, *, final_attempt: bool, rerun: bool = False
) -> tuple[StepOutcome, Exception | None]:
    """Run one step unless it has succeeded before; journal and record failures."""
    done = succeeded_step(order, step.name)
    if done is not None and not rerun:
        stop_state = (done.result or {}).get("stop_state")
        return StepOutcome(done.outcome, stop_state=stop_state), None

    journal = start_step(order, step.name)
    try:
        outcome = step.run(order, journal)
    except STEP_ERRORS as err:
        fail_step(order, journal, err, step.failure_kind, final_attempt=final_attempt)
        return StepOutcome(err.message), err
    except Exception as err:
        finish_step(journal, StepStatus.FAILED, f"Unexpected error: {err}")
        raise

    if outcome.failure:
        kind, message = outcome.failure
        finish_step(journal, StepStatus.FAILED, f"{outcome.summary}. {message}")
        record_failure(order, kind, message)
        return outcome, None
    finish_step(journal, StepStatus.SUCCEEDED, outcome.summary)
    return outcome, None


def fail_step(
    order: Order,
    journal: StepJournal,
    err: StepError,
    kind: str,
    *,
    final_attempt: bool,
) -> None:
    """Journal a failed attempt: retry a transient fault, else record a failure."""
    if err.transient and not final_attempt:
        finish_step(journal, StepStatus.FAILED, f"{err.message} (will retry)")
        raise RetryLater(err.message) from err
    finish_step(journal, StepStatus.FAILED, err.message)
    record_failure(order, kind, failure_message(err))


def failure_message(err: StepError) -> str:
    """The failure's message for staff: what happened, and what to do next."""
    if isinstance(err, UtopiaError) and err.routine:
        return (
            f"{err.message}: Utopia knows no such order for this ISP. Nothing was"
            " created; check the orderref with Utopia, then retry or delete this."
        )
    return err.message


def announce(order: Order, result: RunResult, *, final_attempt: bool) -> OrderState:
    """Email staff the outcome once; return the order's final state."""
    state = result.state
    if not result.email_staff:
        journal = start_step(order, NOTIFY_STEP)
        finish_step(journal, StepStatus.SUCCEEDED, "Not emailed: routine Utopia answer")
        return state
    done = succeeded_step(order, NOTIFY_STEP)
    if done is not None and (done.result or {}).get("state") == state:
        return state

    order.refresh_from_db()
    journal = start_step(order, NOTIFY_STEP)
    journal.result["state"] = state
    try:
        subject = send_outcome_email(order, state)
    except STEP_ERRORS as err:
        kind = FailureKind.NOTIFICATION_FAILED
        fail_step(order, journal, err, kind, final_attempt=final_attempt)
        return OrderState.FAILED
    finish_step(journal, StepStatus.SUCCEEDED, f"Emailed staff: {subject}")
    return state


def finish_order(order: Order, state: OrderState) -> None:
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        state=state, finished_at=now, updated_at=now
    )
    if state in (OrderState.COMPLETED, OrderState.DUPLICATE):
        # What failed before is moot: the order is done, or nothing is to be done.
        resolve_order_failures(order, f"Resolved automatically: the order is {state}.")
