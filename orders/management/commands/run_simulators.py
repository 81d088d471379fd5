from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from uac.simulation import SAMPLE_FILE, start_simulators


class Command(BaseCommand):
    help = "Serve the Utopia and PowerCode simulators where the settings point."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--delay", type=float, default=0.0, help="Seconds before each answer."
        )
        parser.add_argument(
            "--sample-file",
            type=Path,
            default=SAMPLE_FILE,
            help="JSON with utopia_orders and powercode_customers to start from.",
        )

    def handle(
        self, *args: object, delay: float, sample_file: Path, **options: object
    ) -> None:
        try:
            running = start_simulators(delay=delay, sample_file=sample_file)
        except OSError as err:
            raise CommandError(f"Cannot serve the simulators: {err}") from err
        for server in running.servers:
            host, port = server.server_address[:2]
            self.stdout.write(f"Simulator listening on http://{host}:{port}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            running.stop()
