"""Send staff emails; a mail server that does not take one raises an error."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import BadHeaderError, EmailMessage
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class NotificationError(Exception):
    """A staff email could not be sent."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


def send_staff_email(
    subject: str,
    template_name: str,
    context: Mapping[str, Any],
    recipients: Sequence[str],
) -> None:
    """Render a plain-text email template and send it to staff."""
    if not recipients:
        raise NotificationError(
            "No staff email recipients are configured.", transient=False
        )

    body = render_to_string(template_name, dict(context))
    # A header must be one line, whatever a customer typed into their name.
    subject = " ".join(subject.split())
    message = EmailMessage(subject=subject, body=body, to=list(recipients))
    try:
        message.send(fail_silently=False)
    except (BadHeaderError, ValueError) as err:
        raise NotificationError(
            f"The email could not be built: {err}", transient=False
        ) from err
    except smtplib.SMTPRecipientsRefused as err:
        raise NotificationError(
            f"The mail server refused the recipients: {err}", transient=False
        ) from err
    except (smtplib.SMTPException, OSError) as err:
        raise NotificationError(
            f"The mail server did not take the email: {err}", transient=True
        ) from err
    logger.info("staff email sent to %d recipients", len(recipients))
