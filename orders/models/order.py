from __future__ import annotations

from typing import Any

from django.db import models


class OrderState(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


FINAL_STATES = (
    OrderState.COMPLETED,
    OrderState.DUPLICATE,
    OrderState.FAILED,
    OrderState.IGNORED,
)
# Final and done with: running one again could only bill or ticket twice.
SETTLED_STATES = tuple(state for state in FINAL_STATES if state != OrderState.FAILED)


class Order(models.Model):
    """One Utopia order, from its first webhook to a PowerCode customer."""

    orderref = models.CharField(max_length=64, unique=True)
    state = models.CharField(
        max_length=16, choices=OrderState.choices, default=OrderState.RECEIVED
    )
    utopia_data = models.JSONField(
        default=dict, blank=True, help_text="The contract lookup answer from Utopia."
    )

    # Copied out of utopia_data when it is fetched, so staff can search them.
    site_id = models.CharField(max_length=64, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100, blank=True)
    service_plan = models.CharField(max_length=200, blank=True)

    # Set by staff in the Utopia lookup when Utopia's product has no mapping:
    # billed in place of the products. PROTECT: a plan an order was billed as
    # is deactivated, not deleted.
    chosen_plan = models.ForeignKey(
        "orders.ServicePlanMapping",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The plan staff chose for this order; billed instead of the"
        " mapping of Utopia's product.",
    )

    powercode_customer_id = models.CharField(max_length=32, blank=True)
    ticket_id = models.CharField(max_length=32, blank=True)

    # The Celery task that holds the order while it is processing; a task
    # delivered again after its worker died carries the same id and resumes.
    task_id = models.CharField(max_length=64, blank=True)
    runs = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["site_id"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return self.orderref

    @property
    def customer_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def contact_details(self) -> dict[str, Any]:
        """Return what staff need to reach the customer, for emails and failures."""
        address = self.utopia_data.get("address") or {}
        return {
            "orderref": self.orderref,
            "name": self.customer_name,
            "email": self.email,
            "phone": self.phone,
            "address": address.get("address") or "",
            "apt": address.get("apt") or "",
            "city": self.city,
            "state": address.get("state") or "",
            "zip": address.get("zip") or "",
            "site_id": self.site_id,
            "service_plan": self.service_plan,
        }
