"""Errors a pipeline step may raise; each says whether trying later may help."""

from __future__ import annotations

from notifications.emails import NotificationError
from powercode.client import PowerCodeError
from utopia.client import UtopiaError


class StepFailure(Exception):
    """A step cannot go on for a reason of our own (missing data or settings)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


class RetryLater(Exception):
    """A transient fault: the task should run the order again after a pause."""


# Every one of these has `.message` and `.transient`.
STEP_ERRORS = (UtopiaError, PowerCodeError, NotificationError, StepFailure)
StepError = UtopiaError | PowerCodeError | NotificationError | StepFailure
