"""Calls PowerCode may or may not have carried out, and staff's word on them.

PowerCode's legacy API cannot be asked whether a call whose answer never came
made the customer, billed the service or opened the ticket. So each call is
marked in the step journal before it is sent. A lost answer, or a mark a dead
run left behind, makes the call a doubt: it is never sent again unseen, and
staff are told at once by the order's one `unconfirmed_call` failure, which
lists every doubt. Resolving that failure is staff's "checked"; a new doubt
opens it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from orders.failures import record_failure
from orders.journal import StepJournal, attempts
from orders.models import FailureKind, Order, StepStatus
from powercode.client import PowerCodeError

DOUBT_KIND = FailureKind.UNCONFIRMED_CALL
DOUBTFUL_STEPS = ("create_customer", "add_services", "open_ticket")


@contextmanager
def sending(journal: StepJournal, key: str, label: str) -> Iterator[None]:
    """Mark a call as under way in the journal while PowerCode is asked for it.

    `key` names what the call does across attempts ("ticket"); `label` is how
    staff read it ("opening the ticket").
    """
    journal.result["sending"] = key
    journal.result.setdefault("labels", {})[key] = label
    journal.save_progress()
    try:
        yield
    except PowerCodeError as err:
        if err.may_have_acted:
            journal.result.setdefault("unconfirmed", []).append(key)
            journal.save_progress()
            report_doubts(journal.row.order)
            err.message = f"{err.message} (PowerCode may have done it: see below)"
        raise
    finally:
        # The caller saves the outcome; until then the mark stays in the database.
        del journal.result["sending"]


def doubts(order: Order, step_name: str) -> set[str]:
    """The calls of earlier attempts at a step whose outcome is unknown.

    A mark that a run which died mid-call left behind becomes a doubt here, and
    staff are told; call this from the order's own run only.
    """
    found: set[str] = set()
    left_behind = False
    for step in attempts(order, step_name):
        result = step.result or {}
        if result.get("sending"):
            result.setdefault("unconfirmed", []).append(result.pop("sending"))
            step.save(update_fields=["result"])
            left_behind = True
        found.update(result.get("unconfirmed", []))
    if left_behind:
        report_doubts(order)
    return found


def pending_doubts(order: Order, step_name: str) -> set[str]:
    """The same as doubts(), read only: for looking at another order."""
    found: set[str] = set()
    for step in attempts(order, step_name):
        result = step.result or {}
        found.update(result.get("unconfirmed", []))
        if result.get("sending"):
            found.add(result["sending"])
    return found


def staff_checked(order: Order) -> bool:
    """Staff resolved the order's unconfirmed_call failure since its last doubt."""
    return order.failures.filter(kind=DOUBT_KIND, resolved=True).exists()


def report_doubts(order: Order) -> None:
    """Open (or open again) the failure that lists every doubt of the order."""
    record_failure(order, DOUBT_KIND, doubt_message(order))


def doubt_message(order: Order) -> str:
    """What staff read: the calls in doubt and what to do about them."""
    labels: dict[str, str] = {}
    for step_name in DOUBTFUL_STEPS:
        steps = attempts(order, step_name)
        if any(step.status == StepStatus.SUCCEEDED for step in steps):
            continue  # settled since: adopted, or checked by staff
        for step in steps:
            result = step.result or {}
            keys = [*result.get("unconfirmed", []), result.get("sending")]
            labels.update({k: result.get("labels", {}).get(k, k) for k in keys if k})
    message = (
        f"PowerCode did not confirm {'; '.join(labels.values())}. It may have done"
        " it, so UAC does not send it again. Check the customer in PowerCode and do"
        " by hand what is missing; then resolve this failure and retry the order."
    )
    if "customer" in labels:
        message += (
            f" If PowerCode has no customer for site {order.site_id}, the retry"
            " creates it; if it has one without that site id as its external"
            " account id, give it that id first, and the retry adopts it."
        )
    return message
