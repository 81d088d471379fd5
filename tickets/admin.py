from __future__ import annotations

from django.contrib import admin

from tickets.models import TicketTemplate


@admin.register(TicketTemplate)
class TicketTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "is_active", "updated_at"]
