from __future__ import annotations

from django.db import models
from django.utils import formats, timezone


class WebhookDelivery(models.Model):
    """A raw webhook delivery, stored before anything else can fail."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted: order stored and queued"
        REPEATED = "repeated", "Repeat of a known order"
        TEST = "test", "Test, staff emailed"
        IGNORED = "ignored", "Ignored message"
        REJECTED = "rejected", "Rejected"

    received_at = models.DateTimeField(auto_now_add=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    method = models.CharField(max_length=10)
    headers = models.JSONField(default=dict, help_text="Secrets masked.")
    body = models.TextField(blank=True)
    msg = models.CharField(max_length=100, blank=True)
    orderref = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected.")
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        # In TIME_ZONE and the format of every other time staff see.
        received = formats.date_format(
            timezone.localtime(self.received_at), "DATETIME_FORMAT"
        )
        return f"Delivery #{self.pk}, {self.msg or 'no msg'}, {received}"
