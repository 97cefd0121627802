"""Run the BankID simulator: `manage.py bankid_simulator --port 8089 [--https] ...`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signing.pki import load_or_create_test_pki
from signing.simulator.orders import Lifetimes
from signing.simulator.server import Options, SimulatorServer, make_server


class Command(BaseCommand):
    help = "Serve a local BankID (RP API v6, an emulated app page and a test PKI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=settings.BANKID_SIMULATOR_PORT,
            help="0 picks a free port (printed when listening)",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--https", action="store_true", help="serve TLS with the test PKI's server certificate"
        )
        parser.add_argument(
            "--require-client-cert",
            action="store_true",
            help="with --https: refuse clients without an RP certificate",
        )
        parser.add_argument(
            "--start-timeout",
            type=float,
            default=30.0,
            help="seconds to open the order before failed/startFailed",
        )
        parser.add_argument(
            "--order-timeout",
            type=float,
            default=180.0,
            help="seconds to finish before failed/expiredTransaction",
        )
        parser.add_argument(
            "--no-client-after",
            type=float,
            default=5.0,
            help="seconds of outstandingTransaction before noClient",
        )
        parser.add_argument(
            "--qr-tolerance",
            type=int,
            default=1,
            help="seconds a scanned QR frame may be off the current one",
        )
        parser.add_argument(
            "--controllable-clock",
            action="store_true",
            help="enable /sim/v1/clock so tests can move time forward",
        )
        parser.add_argument(
            "--lenient-content-type",
            action="store_true",
            help="accept parameters such as charset after application/json",
        )
        parser.add_argument("--quiet", action="store_true", help="do not log every request")
        parser.add_argument("--pki-dir", type=Path, default=settings.BANKID_SIMULATOR_DIR)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["require_client_cert"] and not opts["https"]:
            raise CommandError("--require-client-cert needs --https")
        server = make_server(
            load_or_create_test_pki(opts["pki_dir"]),
            host=opts["host"],
            port=opts["port"],
            options=_options(opts),
            use_https=opts["https"],
            require_client_cert=opts["require_client_cert"],
        )
        _stop_on_signals(server)
        base = server.base_url
        self.stdout.write(f"BankID simulator listening on {base} (app page: {base}sim/)")
        self.stdout.flush()
        try:
            server.serve_forever()
        finally:
            server.server_close()


def _options(opts: dict[str, Any]) -> Options:
    lifetimes = Lifetimes(
        start_timeout=opts["start_timeout"],
        order_timeout=opts["order_timeout"],
        no_client_after=opts["no_client_after"],
        qr_tolerance=opts["qr_tolerance"],
    )
    return Options(
        lifetimes=lifetimes,
        is_clock_controllable=opts["controllable_clock"],
        is_content_type_strict=not opts["lenient_content_type"],
        is_quiet=opts["quiet"],
    )


def _stop_on_signals(server: SimulatorServer) -> None:
    """Shut down cleanly on SIGTERM and SIGINT."""

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, and the handler runs on the
        # very thread that is serving: ask from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
