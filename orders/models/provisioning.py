"""What staff may change without a restart: plan mapping, fees, and defaults."""

from __future__ import annotations

from django.db import models


class ServicePlanMapping(models.Model):
    """A Utopia product and the PowerCode service it is billed as."""

    utopia_product = models.CharField(
        max_length=200,
        unique=True,
        help_text='As Utopia names it in orderitems, e.g. "1 Gbps". '
        "Compared without regard to case or spacing.",
    )
    powercode_service_id = models.CharField(max_length=32)
    quantity = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["utopia_product"]
        verbose_name = "service plan mapping"

    def __str__(self) -> str:
        return f"{self.utopia_product} → {self.powercode_service_id}"


class AlwaysAddedFee(models.Model):
    """A PowerCode service added to every new customer, such as the bond fee."""

    name = models.CharField(max_length=200)
    powercode_service_id = models.CharField(max_length=32)
    quantity = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProvisioningSettings(models.Model):
    """The one row of provisioning defaults; secrets stay in the environment."""

    ticket_category = models.CharField(max_length=32, default="54")
    ticket_type = models.CharField(max_length=32, default="21")
    ticket_kind = models.CharField(max_length=32, default="Individual")
    ticket_status = models.CharField(max_length=32, default="1")
    ticket_responsible_user = models.CharField(max_length=64, default="Sales")
    ticket_responsible_group = models.CharField(max_length=32, default="4")
    ticket_customer_viewable = models.BooleanField(default=True)
    tag_ids = models.CharField(
        max_length=200, blank=True, help_text="PowerCode tag ids, comma-separated."
    )
    email_recipients = models.TextField(
        blank=True, help_text="Staff addresses, comma- or newline-separated."
    )
    tax_zone_id = models.CharField(
        max_length=32, blank=True, help_text="Left out of the request when empty."
    )
    invoice_preference = models.CharField(max_length=32, default="Email")
    bill_day = models.CharField(max_length=32, default="Activation Date")
    due_by_days = models.PositiveIntegerField(default=0)
    grace_period_days = models.PositiveIntegerField(default=10)
    prorate_services = models.BooleanField(default=True)

    class Meta:
        verbose_name = "provisioning settings"
        verbose_name_plural = "provisioning settings"

    def __str__(self) -> str:
        return "Provisioning settings"

    @classmethod
    def load(cls) -> ProvisioningSettings:
        """Return the settings row, creating it with defaults if missing."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def tag_id_list(self) -> list[str]:
        return split_list(self.tag_ids)

    def recipient_list(self) -> list[str]:
        return split_list(self.email_recipients)


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]
