"""Permissions for back-office pages that belong to no model."""

from __future__ import annotations

from django.db import models


class BackOfficePage(models.Model):
    """No table: it only carries the permissions of the tool pages."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("use_lookups", "Can use the Utopia and PowerCode lookups"),
            ("view_logs", "Can read and download the application log"),
        ]

    def __str__(self) -> str:
        return "Back-office pages"
