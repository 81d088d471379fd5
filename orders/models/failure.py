from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FailureKind(models.TextChoices):
    UTOPIA_API_ERROR = "utopia_api_error", "Utopia API error"
    POWERCODE_CREATION_FAILED = "powercode_creation_failed", "PowerCode creation failed"
    UNMAPPED_SERVICE_PLAN = "unmapped_service_plan", "Unmapped service plan"
    SERVICES_FAILED = "services_failed", "Services not added"
    UNCONFIRMED_CALL = "unconfirmed_call", "PowerCode did not confirm"
    TICKET_FAILED = "ticket_failed", "Ticket not created"
    TAGGING_FAILED = "tagging_failed", "Tags not added"
    NOTIFICATION_FAILED = "notification_failed", "Staff email not sent"
    INVALID_WEBHOOK = "invalid_webhook", "Invalid webhook"
    QUEUE_UNAVAILABLE = "queue_unavailable", "Not queued: work queue down"
    INTERNAL_ERROR = "internal_error", "Internal error"


class Failure(models.Model):
    """Something that could not be done, kept until staff resolve it."""

    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="failures",
    )
    delivery = models.ForeignKey(
        "orders.WebhookDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="failures",
        help_text="For a webhook that could not be used: the last such delivery.",
    )
    # Empty when the delivery carried no usable orderref; never made up.
    orderref = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=40, choices=FailureKind.choices)
    message = models.TextField()
    customer_data = models.JSONField(default=dict, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["resolved", "-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(order__isnull=False),
                name="one_failure_per_order_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "message"],
                condition=Q(order__isnull=True, resolved=False),
                name="one_open_intake_failure_per_problem",
            ),
        ]
        indexes = [models.Index(fields=["resolved", "kind"])]

    def __str__(self) -> str:
        return f"{self.orderref or '(no orderref)'}: {self.get_kind_display()}"
