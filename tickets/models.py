from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from tickets.rendering import braced, unknown_placeholders


class TicketTemplate(models.Model):
    """The text of the sales ticket opened for every new customer."""

    name = models.CharField(max_length=100, unique=True)
    subject = models.CharField(
        max_length=200, help_text="The ticket's title in PowerCode (its summary)."
    )
    summary = models.CharField(
        max_length=500,
        blank=True,
        help_text="One line shown in bold at the top of the ticket description.",
    )
    body = models.TextField(help_text="HTML. Customer data is escaped.")
    is_active = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_ticket_template",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for field in ("subject", "summary", "body"):
            unknown = unknown_placeholders(getattr(self, field))
            if unknown:
                errors[field] = f"Unknown placeholder: {braced(unknown)}"
        if errors:
            raise ValidationError(errors)

    def activate(self) -> TicketTemplate | None:
        """Make this the one active template; return the one it replaced."""
        with transaction.atomic():
            # Every template locked, not only the active one: two staff
            # activating at once then take turns, and the second one's look
            # for the active template sees the first one's choice.
            list(TicketTemplate.objects.select_for_update().order_by("pk"))
            previous = (
                TicketTemplate.objects.filter(is_active=True)
                .exclude(pk=self.pk)
                .first()
            )
            if previous is not None:
                # Cleared first: the constraint allows one active row at a time.
                previous.is_active = False
                previous.save(update_fields=["is_active", "updated_at"])
            self.is_active = True
            self.save(update_fields=["is_active", "updated_at"])
        return previous

    @classmethod
    def active(cls) -> TicketTemplate | None:
        return cls.objects.filter(is_active=True).first()
