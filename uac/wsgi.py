"""WSGI entry point, served by gunicorn in production."""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uac.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as err:
    sys.exit(f"uac: configuration error: {err}")
