"""What earlier attempts asked PowerCode for, and whether it is known to be done.

PowerCode's legacy API cannot be asked whether a service or a ticket was
added, so each call is marked in the step journal before it is sent. A mark
left behind (the worker died) or a lost answer means "maybe done": a later run
does not send it again but leaves it to staff, whose resolved failure says
they have checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from orders.journal import StepJournal, attempts
from orders.models import Order
from powercode.client import PowerCodeError


@contextmanager
def sending(journal: StepJournal, what: str) -> Iterator[None]:
    """Mark `what` as under way in the journal while PowerCode is asked for it.

    A worker that dies mid-call leaves the mark, and a lost answer turns it
    into "unconfirmed": either way no later run sends it again unseen.
    """
    journal.result["sending"] = what
    journal.save_progress()
    try:
        yield
    except PowerCodeError as err:
        if err.may_have_acted:
            journal.result.setdefault("unconfirmed", []).append(what)
            err.message = (
                f"{err.message}. PowerCode may have done it anyway, so it is not"
                " sent again unseen: check PowerCode before resolving this failure."
            )
        raise
    finally:
        # The caller saves the outcome; until then the mark stays in the database.
        del journal.result["sending"]


def unconfirmed_before(order: Order, step_name: str) -> set[str]:
    """What earlier attempts at a step asked PowerCode for, outcome unknown."""
    found: set[str] = set()
    for step in attempts(order, step_name):
        result = step.result or {}
        found.update(result.get("unconfirmed", []))
        if result.get("sending"):
            found.add(result["sending"])
    return found


def staff_checked(order: Order, kind: str, *, since: datetime | None = None) -> bool:
    """Staff resolved this kind of failure (after `since`, if given)."""
    resolved = order.failures.filter(kind=kind, resolved=True)
    if since is not None:
        resolved = resolved.filter(resolved_at__gt=since)
    return resolved.exists()


def last_doubt(order: Order, step_name: str) -> datetime | None:
    """When the latest attempt at a step that left a call in doubt started.

    Staff who resolved a failure before then have not seen that call.
    """
    started = [
        step.started_at
        for step in attempts(order, step_name)
        if (step.result or {}).get("unconfirmed") or (step.result or {}).get("sending")
    ]
    return max(started, default=None)


def services_sent_before(order: Order) -> tuple[set[str], set[str]]:
    """Services earlier attempts added, and those whose outcome is unknown."""
    added: set[str] = set()
    for step in attempts(order, "add_services"):
        added.update((step.result or {}).get("added", []))
    return added, unconfirmed_before(order, "add_services") - added
