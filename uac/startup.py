"""How an entry point stops on a wrong configuration: one line, a known code."""

from __future__ import annotations

import sys
from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured

# gunicorn stops on it instead of starting new workers without end, and the
# systemd units do not restart on it (RestartPreventExitStatus).
CONFIGURATION_ERROR = 4


def exit_for(err: ImproperlyConfigured) -> NoReturn:
    """Print the one line naming what is wrong and stop the process."""
    sys.stderr.write(f"uac: configuration error: {err}\n")
    sys.exit(CONFIGURATION_ERROR)
