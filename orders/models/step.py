from __future__ import annotations

from django.db import models


class StepStatus(models.TextChoices):
    STARTED = "started", "Started"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class OrderStep(models.Model):
    """One attempt at one pipeline step: the order's journal."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="steps"
    )
    name = models.CharField(max_length=40)
    status = models.CharField(
        max_length=16, choices=StepStatus.choices, default=StepStatus.STARTED
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What happened, for staff.")
    result = models.JSONField(default=dict, blank=True, help_text="Ids it produced.")
    upstream = models.JSONField(
        default=list,
        blank=True,
        help_text="Upstream calls and answers, secrets masked.",
    )

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["order", "name", "status"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.name} {self.status}"
