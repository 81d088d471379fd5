from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackOfficeConfig(AppConfig):
    default = True
    name = "backoffice"
    verbose_name = "Back office"
    default_auto_field = "django.db.models.BigAutoField"


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django Admin on the back office's own site: counts, tools and roles."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"
