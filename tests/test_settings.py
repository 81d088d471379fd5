"""Start-up stops with one line naming a missing variable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "WEBHOOK_SECRET": "w" * 20,
    "UTOPIA_API_KEY": "u" * 20,
    "UTOPIA_URL_ENDPOINT": "https://utopia.invalid",
    "PC_API_KEY": "p" * 20,
    "PC_URL": "https://pc.invalid",
    "PC_URL_API": "https://pc.invalid:444/api/1/index.php",
    "PC_URL_UAPI": "https://pc.invalid:444/uapi",
    "CUSTOMER_PORTAL_PASSWORD": "c" * 12,
    "DATABASE_URL": "sqlite:////tmp/uac-settings-test.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def run_check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**clean, **environment, "DJANGO_SETTINGS_MODULE": "uac.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_start_with_every_required_variable():
    assert run_check(PRODUCTION).returncode == 0


def test_missing_required_variable_stops_start_up_with_one_line_naming_it():
    environment = {k: v for k, v in PRODUCTION.items() if k != "PC_API_KEY"}

    result = run_check(environment)

    assert result.returncode == 4  # the units do not restart on it
    assert result.stderr.strip().splitlines() == [
        "uac: configuration error: missing required environment variable PC_API_KEY"
        " (set it in the environment file: /etc/uac/uac.env in production, .env"
        " in a checkout; on a laptop DEBUG=true runs on the simulators)"
    ]


def test_placeholder_left_in_the_environment_stops_start_up() -> None:
    result = run_check({**PRODUCTION, "PC_API_KEY": "change-me"})

    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [
        "uac: configuration error: PC_API_KEY still set to change-me"
    ]


def test_seed_that_is_not_powercode_ids_stops_start_up() -> None:
    result = run_check({**PRODUCTION, "SERVICE_PLAN_1GBPS_ID": "1 Gbps"})

    assert result.returncode == 4
    assert "SERVICE_PLAN_1GBPS_ID must be PowerCode ids" in result.stderr


def test_env_example_lists_every_variable_the_settings_read() -> None:
    base = Path(settings.BASE_DIR)
    source = (base / "uac" / "settings.py").read_text()
    read = set(
        re.findall(
            r'(?:env(?:\.\w+)?|required|powercode_ids)\(\s*"([A-Z][A-Z0-9_]+)"', source
        )
    )
    example = (base / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))

    assert {"SECRET_KEY", "PC_API_KEY", "MAIL_PORT", "TRUSTED_PROXIES"} <= read
    assert read - listed == set()
