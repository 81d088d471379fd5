from __future__ import annotations

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.intake import NEW_ORDER_MSG, TEST_MSG
from orders.webhook_sender import send_webhook


class Command(BaseCommand):
    help = "Send a webhook to a running UAC as Utopia would: a test, or an order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/api-callback")
        parser.add_argument(
            "--orderref", help='Send a "Project New Order" for this orderref.'
        )

    def handle(
        self, *args: object, url: str, orderref: str | None, **options: object
    ) -> None:
        msg = NEW_ORDER_MSG if orderref else TEST_MSG
        try:
            response = send_webhook(url, orderref, msg)
        except requests.RequestException as err:
            raise CommandError(f"Could not reach {url}: {err}") from err
        self.stdout.write(
            f"{msg!r} to {url}: HTTP {response.status_code} {response.text}"
        )
        if response.status_code != 200:
            raise CommandError("The webhook did not accept the delivery.")
