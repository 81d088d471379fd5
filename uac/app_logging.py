"""The application log: one file every process appends to, readable by staff."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any

from django.conf import settings


class LogFileHandler(logging.handlers.WatchedFileHandler):
    """Append to the log file, reopening it once logrotate has moved it.

    The web workers and the Celery pool processes all write this one file.
    A handler that rotated the file itself would rotate it once per process,
    each moving the others' newest lines away; so rotation is left to
    logrotate (deploy/logrotate/uac), and every process follows the new file.
    """

    def __init__(self, filename: str, *args: Any, **kwargs: Any) -> None:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(filename, *args, **kwargs)


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


class StaticRequestsOut(logging.Filter):
    """Leave the development server's static-file requests out of the log.

    A page brings a dozen of them; kept, they would push the lines staff look
    for out of the log page's tail.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "django.server":
            return True
        static = "/" + settings.STATIC_URL.lstrip("/")
        return f'"GET {static}' not in record.getMessage()
