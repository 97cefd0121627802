"""Run the demo: migrate, seed, then the web server, a Celery worker and beat side by side."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from portal.env import env_int

# Seconds a child gets after SIGTERM before SIGKILL: a worker's warm shutdown finishes its tasks.
STOP_TIMEOUT = 15.0
READY_TIMEOUT = 60.0  # seconds to wait for the web server before printing the logins anyway
QUIET_SECONDS = 1.5  # start-up chatter has settled when no child printed for this long
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The PEPPOL test receiver's port: where PEPPOL_ACCESS_POINT_URL points outside production.
PEPPOL_RECEIVER_PORT = 8091
# One worker node: syncing with (mingle) and gossiping to peers only slows start and stop.
WORKER_ARGS = "worker --loglevel=INFO --concurrency=2 -P prefork --without-mingle --without-gossip"


@dataclass(frozen=True)
class ProcessSpec:
    """One child process of the demo: a name for its log prefix and its command line."""

    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Child:
    """A started child process and the thread that copies its output."""

    spec: ProcessSpec
    popen: subprocess.Popen[str]
    reader: threading.Thread


def process_specs(*, port: int) -> list[ProcessSpec]:
    """Return the demo's processes; a new component is one more entry here."""
    python, manage = sys.executable, str(settings.BASE_DIR / "manage.py")
    celery = (python, "-m", "celery", "-A", "portal")
    schedule = settings.CELERY_BEAT_SCHEDULE_FILENAME
    return [
        ProcessSpec("web", (python, manage, "runserver", f"127.0.0.1:{port}", "--noreload")),
        ProcessSpec("worker", (*celery, *WORKER_ARGS.split())),
        ProcessSpec("beat", (*celery, "beat", "--loglevel=INFO", "--schedule", schedule)),
        # A pasted QR text is a few seconds old by the time it reaches the simulated app.
        ProcessSpec(
            "bankid",
            (
                python,
                manage,
                "bankid_simulator",
                "--port",
                str(settings.BANKID_SIMULATOR_PORT),
                "--qr-tolerance",
                "10",
            ),
        ),
        # The PEPPOL channel's default access point; the store file keeps dedupe across runs.
        ProcessSpec(
            "peppol",
            (
                python,
                manage,
                "peppol_test_receiver",
                "--port",
                str(PEPPOL_RECEIVER_PORT),
                "--store",
                str(settings.VAR_DIR / "peppol-received.jsonl"),
            ),
        ),
    ]


class Printer:
    """Write lines from several threads without interleaving them."""

    def __init__(self, out: OutputWrapper, width: int) -> None:
        self._out, self._width, self._lock = out, width, threading.Lock()
        self.last_line_at = time.monotonic()

    def line(self, name: str, text: str) -> None:
        """Print one child's line behind its name."""
        self.raw(f"{name:<{self._width}} | {text}")
        self.last_line_at = time.monotonic()

    def raw(self, text: str) -> None:
        """Print text as is."""
        with self._lock:
            self._out.write(text)
            self._out.flush()


class Command(BaseCommand):
    help = "Migrate, seed, run web, worker, beat, BankID and PEPPOL test servers until Ctrl-C."

    def handle(self, *args: Any, **options: Any) -> None:
        port = env_int("DEMO_PORT", 8000)
        _require_free_port(port, "DEMO_PORT=8001")
        _require_free_port(settings.BANKID_SIMULATOR_PORT, "BANKID_SIMULATOR_PORT=8090")
        call_command("migrate", "--noinput")
        banner = _banner(port, _seed_demo())
        # Links in the demo's e-mails must point at the port it really runs on.
        os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        dead = _run(process_specs(port=port), port, banner, self.stdout)
        if dead is not None:
            code = dead.popen.returncode
            raise CommandError(f"{dead.spec.name} exited with code {code}; stopped the others.")


def _run(specs: list[ProcessSpec], port: int, banner: str, out: OutputWrapper) -> Child | None:
    """Start the children and keep them running until a signal or until one dies."""
    printer = Printer(out, max(len(spec.name) for spec in specs))
    stop = _stop_on_signals()
    children: list[Child] = []
    try:
        for spec in specs:  # one by one, so a failed start still stops the earlier ones
            children.append(_start(spec, printer))
        return _supervise(
            children,
            stop,
            is_ready=functools.partial(_settled, port, printer),
            on_ready=functools.partial(printer.raw, banner),
        )
    finally:
        printer.raw("Stopping the demo ...")
        _stop_all(children)


def _require_free_port(port: int, hint: str) -> None:
    """Fail before migrating when another server already holds the demo's port."""
    with socket.socket() as sock:
        # Same option as runserver, so a port in TIME_WAIT from the last run counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise CommandError(
                f"Port {port} is in use. Stop what runs there or choose another: {hint}"
            ) from None


def _seed_demo() -> dict[str, Any]:
    """Load the demo data and return seed_demo's JSON summary."""
    buffer = io.StringIO()
    call_command("seed_demo", "--json", stdout=buffer)
    try:
        summary: dict[str, Any] = json.loads(buffer.getvalue())
    except json.JSONDecodeError as error:
        raise CommandError(f"seed_demo --json did not print JSON: {error}") from None
    return summary


def _stop_on_signals() -> threading.Event:
    """Turn Ctrl-C, SIGTERM and a closed terminal into a stop request."""
    stop = threading.Event()
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda _signum, _frame: stop.set())
    return stop


def _start(spec: ProcessSpec, printer: Printer) -> Child:
    """Start one child with the demo's environment and copy its output, prefixed."""
    popen = subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
        spec.argv,
        cwd=settings.BASE_DIR,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        # Own process group: Ctrl-C reaches only this runner, which stops children in order.
        start_new_session=True,
    )
    assert popen.stdout is not None
    reader = threading.Thread(
        target=_copy_lines, args=(spec.name, popen.stdout, printer), daemon=True
    )
    reader.start()
    return Child(spec, popen, reader)


def _copy_lines(name: str, stream: IO[str], printer: Printer) -> None:
    """Print a child's output line by line until it closes."""
    for text in stream:
        printer.line(name, text.rstrip("\n"))


def _supervise(
    children: list[Child],
    stop: threading.Event,
    *,
    is_ready: Callable[[], bool],
    on_ready: Callable[[], None],
) -> Child | None:
    """Wait for a stop request or a dead child; call on_ready once, when is_ready says so."""
    give_up_at = time.monotonic() + READY_TIMEOUT
    announced = False
    while not stop.wait(0.2):
        dead = next((child for child in children if child.popen.poll() is not None), None)
        if dead is not None:
            return dead
        if not announced and (is_ready() or time.monotonic() > give_up_at):
            on_ready()
            announced = True
    return None


def _settled(port: int, printer: Printer) -> bool:
    """Tell whether the web server answers and the start-up output has gone quiet."""
    return time.monotonic() - printer.last_line_at > QUIET_SECONDS and _answers(port)


def _answers(port: int) -> bool:
    """Tell whether something accepts connections on the local port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop_all(children: list[Child]) -> None:
    """Terminate every child, wait with a deadline, then kill what is left."""
    for child in children:
        if child.popen.poll() is None:
            child.popen.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.popen.kill()
            child.popen.wait()
        # Pool processes left behind by a killed worker share its process group.
        _kill_group(child.popen.pid)
        child.reader.join(timeout=2)


def _kill_group(pgid: int) -> None:
    """Kill whatever still runs in a child's process group."""
    # ProcessLookupError: the group is gone, nothing is left to kill.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


_STAFF_LOGIN = [
    "",
    "  Staff log in with a TOTP code. First login: the password (asked twice), then scan the",
    "  QR code with an authenticator app (or `oathtool --totp -b SECRET`), enter a code, keep",
    "  the recovery codes, open / and enter a code once more: it leads to the review queue",
    "  (/staff/review/). Four-eyes decisions need the second staff user to confirm.",
]


def _banner(port: int, demo: dict[str, Any]) -> str:
    """Describe where the demo runs and how to log in."""
    names = {org["org_number"]: org["name"] for org in demo.get("organisations", [])}
    lines = ["", "=" * 72, f"  e-faktura demo: http://127.0.0.1:{port}/", "", "  Demo logins:"]
    for user in demo.get("users", []):
        org = names.get(user.get("org_number") or "", "-")
        role = "staff" if user.get("is_staff") else (user.get("role") or "-")
        lines.append(f"    {user['email']:<28} {user['password']:<18} {role:<7} {org}")
        if user.get("note"):
            lines.append(f"      ({user['note']})")
    if any(user.get("is_staff") for user in demo.get("users", [])):
        lines += _STAFF_LOGIN
    if "filebased" in settings.EMAIL_BACKEND:
        lines += ["", f"  E-mails (sign-up links, invitations) land in {settings.EMAIL_FILE_PATH}"]
    lines += [
        "",
        f"  BankID simulator (the test persons' BankID app): {settings.BANKID_SIMULATOR_APP_URL}",
        "  Sara Nilsson signs for Fjällgården Turism AB (559045-6785), Erik Bergström for",
        "  Bergström Bygg & Måleri AB; Tolvan Tolvansson signs for no company (goes to review).",
        "",
        f"  PEPPOL access point (test receiver): http://127.0.0.1:{PEPPOL_RECEIVER_PORT}/messages",
    ]
    lines += ["", "  Press Ctrl-C to stop everything.", "=" * 72, ""]
    return "\n".join(lines)
