"""Run the PEPPOL test receiver: `manage.py peppol_test_receiver --port 8091 [--store FILE]`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoices.delivery.test_receiver import ReceiverServer, make_server

DEFAULT_PORT = 8091


class Command(BaseCommand):
    help = "Serve a local PEPPOL access point that stores what it receives, once per key."
    # Standalone and ORM-free: the portal's system checks have nothing to say about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help="0 picks a free port (printed)"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--store",
            type=Path,
            help="JSON-lines file of received messages, reloaded at start (default: memory)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            server = make_server(host=opts["host"], port=opts["port"], store=opts["store"])
        except OSError as error:
            raise CommandError(f"Cannot listen on {opts['host']}:{opts['port']}: {error}") from None
        _stop_on_signals(server)
        # Tests and the demo wait for exactly this line.
        self.stdout.write(f"PEPPOL test receiver listening on {server.base_url}")
        self.stdout.flush()
        try:
            server.serve_forever()
        finally:
            server.server_close()


def _stop_on_signals(server: ReceiverServer) -> None:
    """Shut down cleanly on SIGTERM and SIGINT."""

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever(), which runs on this very thread: ask from another.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
