"""WSGI entry point, served by gunicorn in production."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from uac.startup import exit_for

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uac.settings")

try:
    application = get_wsgi_application()
except ImproperlyConfigured as err:
    exit_for(err)
