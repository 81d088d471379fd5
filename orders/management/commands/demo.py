from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from uac import demo
from uac.demo_lock import DemoAlreadyRunning, hold_demo_lock
from uac.simulation import SAMPLE_FILE, simulator_addresses, start_simulators

HEADER = ["ORDERREF", "STATE", "POWERCODE", "TICKET", "FAILURE", "AS EXPECTED"]


class Command(BaseCommand):
    help = "Run UAC with the simulators and provision the sample orders over HTTP."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--port", type=int, default=8000, help="Port of the web app (8000)."
        )
        parser.add_argument(
            "--exit", action="store_true", help="Stop once the table is printed."
        )
        parser.add_argument(
            "--upstream-delay",
            type=float,
            default=0.0,
            help="Seconds the simulators wait before each answer.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=120.0,
            help="Seconds to wait for the orders to be processed (120).",
        )

    def handle(self, *args: object, **options: object) -> None:
        # Before anything is cleared: a second demo on other ports still
        # shares var/ (database, queue, mail) with the first.
        try:
            lock = hold_demo_lock(Path(settings.VAR_DIR))
        except DemoAlreadyRunning as err:
            raise CommandError(str(err)) from err
        with lock:  # held until the demo ends, or dies: no stale lock is left
            self.run_demo(lock, options)

    def run_demo(self, lock: IO[str], options: dict) -> None:
        port = int(options["port"])
        busy = demo.busy_addresses({("127.0.0.1", port), *simulator_addresses()})
        if busy:
            raise CommandError(
                f"{', '.join(busy)} already in use (another demo still running?)."
                " Stop what listens there; --port moves the web app, and"
                " UTOPIA_URL_ENDPOINT, PC_URL, PC_URL_API and PC_URL_UAPI"
                " move the simulators."
            )
        # A plain kill stops the children too, not only this process.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        demo.clear_earlier_run()
        call_command("migrate", verbosity=0)
        logins = demo.ensure_demo_staff()
        try:
            simulators = start_simulators(delay=float(options["upstream_delay"]))
        except OSError as err:  # taken since the check above
            raise CommandError(f"Cannot serve the simulators: {err}") from err
        children = demo.ChildProcesses(lock)
        base_url = f"http://127.0.0.1:{port}"
        try:
            demo.start_web_and_worker(children, port)
            demo.wait_for_web(base_url, children, timeout=30)
            all_as_expected = self.provision_samples(base_url, children, options)
            if options["exit"]:
                if not all_as_expected:
                    raise CommandError("Some orders did not reach their outcome.")
                return
            self.serve(base_url, logins, children)
        except demo.DemoError as err:
            raise CommandError(f"The demo stopped: {err}.") from err
        finally:
            children.stop()
            simulators.stop()

    def provision_samples(
        self, base_url: str, children: demo.ChildProcesses, options: dict
    ) -> bool:
        expected = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))["expected"]
        self.stdout.write(
            f"Posting {len(expected)} webhooks to {base_url}/api-callback"
        )
        for orderref in sorted(expected):
            status = demo.deliver(base_url, orderref)
            self.stdout.write(f"  {orderref}: HTTP {status}")
        repeat = sorted(expected)[0]
        status = demo.deliver(base_url, repeat)
        self.stdout.write(f"  {repeat} again (a repeat delivery): HTTP {status}")

        orders = demo.wait_for_outcomes(expected, children, options["timeout"])
        rows = demo.outcome_rows(orders, expected)
        self.stdout.write("")
        self.stdout.write(demo.format_table(HEADER, rows))
        matched = sum(row[-1] == "yes" for row in rows)
        self.stdout.write(
            f"\n{matched} of {len(expected)} orders reached their expected outcome."
        )
        return matched == len(expected)

    def serve(
        self,
        base_url: str,
        logins: list[tuple[str, str, str]],
        children: demo.ChildProcesses,
    ) -> None:
        self.stdout.write(f"\nBack office: {base_url}/admin/")
        for role, username, password in logins:
            self.stdout.write(f"  {role:<10}  user {username:<8}  password {password}")
        self.stdout.write("Staff emails are files in var/mail/. Press Ctrl-C to stop.")
        parent = os.getppid()
        try:
            # make does not pass a kill on to its children: when the make that
            # started the demo is gone, the demo stops too.
            while os.getppid() == parent:
                children.check_alive()
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        self.stdout.write("Stopping.")
