"""The step journal: every step attempt is saved before it calls anything.

A row is written as "started" before a step talks to an upstream and updated
with its outcome afterwards, so the admin shows exactly what happened, also
when a worker died half-way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from orders.models import Order, OrderState, OrderStep, StepStatus
from uac.masking import mask_secrets, mask_text

MAX_ANSWER_CHARS = 4000


@dataclass
class StepOutcome:
    summary: str
    stop_state: OrderState | None = None
    failure: tuple[str, str] | None = None


class StepJournal:
    """The record of one attempt at one step, filled in as the step works."""

    def __init__(self, row: OrderStep) -> None:
        self.row = row

    @property
    def result(self) -> dict[str, Any]:
        return self.row.result

    def record_call(self, call: str, request: Any = None, answer: Any = None) -> None:
        """Note an upstream call and its answer, secrets masked."""
        self.row.upstream.append(
            {"call": call, "request": mask_secrets(request), "answer": trim(answer)}
        )

    def save_progress(self) -> None:
        self.row.save(update_fields=["result", "upstream"])


def start_step(order: Order, name: str) -> StepJournal:
    """Save a row saying this step is under way and return its journal."""
    row = OrderStep.objects.create(order=order, name=name, status=StepStatus.STARTED)
    return StepJournal(row)


def finish_step(journal: StepJournal, status: StepStatus, outcome: str) -> None:
    """Save how the step ended."""
    row = journal.row
    row.status = status
    row.outcome = mask_text(outcome)
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "outcome", "finished_at", "result", "upstream"])


def succeeded_step(order: Order, name: str) -> OrderStep | None:
    """Return the latest successful attempt at a step, if any."""
    return (
        order.steps.filter(name=name, status=StepStatus.SUCCEEDED)
        .order_by("-started_at", "-id")
        .first()
    )


def attempts(order: Order, name: str) -> list[OrderStep]:
    return list(order.steps.filter(name=name).order_by("started_at", "id"))


def trim(answer: Any) -> Any:
    """Mask an upstream answer and keep long text answers short."""
    answer = mask_secrets(answer)
    if isinstance(answer, str | bytes) and len(answer) > MAX_ANSWER_CHARS:
        return f"{answer[:MAX_ANSWER_CHARS]!s}… ({len(answer)} characters)"
    if isinstance(answer, bytes):
        return f"({len(answer)} bytes)"
    return answer
