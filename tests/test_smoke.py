from __future__ import annotations

from django.conf import settings


def test_settings_load_with_simulator_defaults() -> None:
    assert settings.UTOPIA_URL_ENDPOINT.startswith("http://127.0.0.1")
