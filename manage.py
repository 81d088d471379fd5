#!/usr/bin/env python
"""Django's command-line entry point for UAC."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uac.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from uac.startup import exit_for

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as err:
        exit_for(err)


if __name__ == "__main__":
    main()
