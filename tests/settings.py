"""Settings for the test suite: the project's settings on simulator defaults."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("LOG_FILE", "var/log/test.log")

from uac.settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = "cache+memory://"
PROVISION_RETRY_BACKOFF = 0
PROVISION_RETRY_BACKOFF_MAX = 0
# Eager tasks loop through their retries only when errors do not propagate;
# tests call `.get()` on the result to see a task's own errors.
CELERY_TASK_EAGER_PROPAGATES = False
