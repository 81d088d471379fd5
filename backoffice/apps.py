from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class BackOfficeConfig(AppConfig):
    default = True
    name = "backoffice"
    verbose_name = "Back office"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After the admin's autodiscovery (an app listed before this one):
        # Celery's stored task results are no page for staff to work in.
        from django.contrib import admin
        from django_celery_results.models import GroupResult, TaskResult

        for model in (TaskResult, GroupResult):
            if admin.site.is_registered(model):
                admin.site.unregister(model)


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django Admin on the back office's own site: counts, tools and roles."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"
