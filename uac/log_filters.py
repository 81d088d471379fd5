"""Logging filters that keep the application log readable for staff."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Log a refused page (403) as one line, without Django's traceback.

    A refusal is a staff member opening a page their role lacks, not a fault;
    its traceback would bury the log's real errors.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 0) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
