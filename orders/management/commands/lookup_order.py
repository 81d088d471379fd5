from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.upstream import utopia_client
from utopia.client import UtopiaError


class Command(BaseCommand):
    help = "Show what Utopia says about an order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("orderref")

    def handle(self, *args: object, orderref: str, **options: object) -> None:
        try:
            answer = utopia_client().contract_lookup(orderref.strip())
        except UtopiaError as err:
            raise CommandError(f"Utopia answered: {err.message}") from err
        self.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False))
