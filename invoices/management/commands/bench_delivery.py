"""`manage.py bench_delivery`: deliver N invoices to the network inbox with two real workers.

Run by `make bench` (through invoices/bench.py) in its own process, because the bench command
itself runs under the demo's SQLite settings. This one needs PostgreSQL and Redis, and it
DROPS and re-creates the database DATABASE_URL names: it refuses any name without "bench".

Prints, like `manage.py bench`, a human line and a `BENCH <name> <value>` line per figure:
delivery_invoices_per_s, celery_noop_tasks_per_s, delivery_ratio, delivery_cpu_ms_per_invoice,
worker_peak_rss_mib. A line before them says where the CPU went: the sender (this process),
the workers, and the rest of the machine (PostgreSQL, Redis).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from psycopg import sql

from portal.celery import app as celery_app
from portal.workers import stop_process, worker_argv

WORKERS = 2
POLL_SECONDS = 0.2
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
NOOP_TASK = "portal.noop"


class Command(BaseCommand):
    help = (
        "Benchmark delivery to the network inbox against a no-op Celery task, with two real "
        "workers (PostgreSQL + Redis; re-creates the database named in DATABASE_URL)."
    )
    # The database is dropped and re-created first: no checks may open a connection before.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--invoices", type=int, default=5000, help="invoices (default 5000)")
        parser.add_argument(
            "--noop-tasks", type=int, default=0, help="no-op tasks (default: as many as invoices)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["invoices"]
        noops: int = options["noop_tasks"] or count
        if count < 1 or noops < 1:
            raise CommandError("--invoices and --noop-tasks must be positive")
        _require_bench_services()
        started = time.monotonic()
        _recreate_database()
        call_command("migrate", verbosity=0)
        self._say(f"database {settings.DATABASES['default']['NAME']} re-created and migrated")
        user, invoice_ids = _drafts(count)
        self._say(f"{count} draft invoices created ({time.monotonic() - started:.0f} s so far)")
        from invoices.validation import load_layers

        load_layers()  # the send service validates: warm it here, not in the timed window
        celery_app.control.purge()
        with tempfile.TemporaryDirectory(prefix="bench-workers-") as log_dir:
            workers = _start_workers(Path(log_dir))
            try:
                _wait_until_ready(workers)
                self._say(f"{WORKERS} workers ready (-P solo, validator loaded)")
                _noop_rate(workers, 100)  # warm-up: connections, imports, first-task costs
                noop_rate = _noop_rate(workers, noops)
                self._say(f"{noops} no-op tasks executed")
                before = _cpu_snapshot(workers)
                delivery_rate, sent = _delivery_rate(workers, user, invoice_ids)
                cpu = _cpu_snapshot(workers) - before
                # Where the time goes: the send service (validation, numbering, UBL) runs here.
                self._say(
                    f"{count} invoices delivered to the network inbox; the send loop took "
                    f"{sent:.1f} s ({sent * 1000 / count:.1f} ms per invoice_send call)"
                )
                self._say(cpu.per_invoice(count))
                peaks = [_peak_rss_mib(worker.process.pid) for worker in workers]
            finally:
                for worker in workers:
                    stop_process(worker.process, timeout=STOP_TIMEOUT)
        self._say("worker peak RSS (VmHWM): " + ", ".join(f"{peak:.1f} MiB" for peak in peaks))
        self._figure(
            "delivery_invoices_per_s",
            delivery_rate,
            "invoices/s",
            f"Deliver {count} invoices to the network inbox, send call -> delivered, "
            f"{WORKERS} workers",
        )
        self._figure(
            "celery_noop_tasks_per_s",
            noop_rate,
            "tasks/s",
            f"Execute {noops} no-op Celery tasks, same broker and workers",
        )
        self._figure(
            "delivery_ratio",
            delivery_rate / noop_rate,
            "x",
            "Delivery / no-op throughput (target: at least 0.25)",
        )
        self._figure(
            "delivery_cpu_ms_per_invoice",
            cpu.machine * 1000 / count,
            "ms",
            "CPU of the whole machine per delivered invoice (send, workers, database, broker)",
        )
        self._figure(
            "worker_peak_rss_mib",
            max(peaks),
            "MiB",
            "Peak worker RSS, validator loaded (target: under 300)",
        )

    def _say(self, text: str) -> None:
        self.stdout.write(f"  {text}")
        self.stdout.flush()

    def _figure(self, name: str, value: float, unit: str, text: str) -> None:
        # The same two lines as `manage.py bench`; portal/benchmarks.py relays them.
        self.stdout.write(f"{text}: {value:.2f} {unit}")
        self.stdout.write(f"BENCH {name} {value:.3f}")
        self.stdout.flush()


class _Worker:
    def __init__(self, process: subprocess.Popen[bytes], node_name: str, log_path: Path) -> None:
        self.process = process
        self.node_name = node_name
        self.log_path = log_path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def _require_bench_services() -> None:
    """Refuse anything but PostgreSQL + Redis, and any database not meant to be dropped."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("bench_delivery needs PostgreSQL (DATABASE_URL=postgres://...)")
    # The next step is DROP DATABASE: a typo must not cost the dev or test database.
    if "bench" not in database["NAME"]:
        raise CommandError(f"refusing to re-create {database['NAME']!r}: its name lacks 'bench'")
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        raise CommandError("bench_delivery needs Redis as the broker (REDIS_URL=redis://...)")


def _recreate_database() -> None:
    """DROP and CREATE the bench database: simpler and surer than wiping the last run's rows."""
    connections.close_all()
    drop_database(settings.DATABASES["default"]["NAME"], create_again=True)


def drop_database(name: str, *, create_again: bool = False) -> None:
    """Drop a database of the server the default connection uses (and create it anew)."""
    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        identifier = sql.Identifier(name)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        if create_again:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(identifier))


def _drafts(count: int) -> tuple[Any, list[int]]:
    """Create a verified seller, its owner, a member buyer and `count` drafts (not timed)."""
    # The test factories build through the services, as users would; bench runs use the dev venv.
    from accounts.models import Organisation
    from accounts.tests.factories import MembershipFactory, OrganisationFactory
    from invoices.tests.factories import CustomerFactory, draft

    seller = OrganisationFactory(
        legal_name="Bench Säljare AB", verification_status=Organisation.VerificationStatus.VERIFIED
    )
    user = MembershipFactory(organisation=seller, user__email="bench@example.com").user
    buyer = OrganisationFactory(legal_name="Bench Köpare AB")
    MembershipFactory(organisation=buyer, user__email="buyer@example.com")
    # The buyer's org number makes the route the network inbox (it is a portal member).
    customer = CustomerFactory(
        organisation=seller, name=buyer.legal_name, org_number=buyer.org_number, peppol_id=""
    )
    ids = [draft(seller, user, customer=customer).pk for _ in range(count)]
    return user, ids


def _start_workers(log_dir: Path) -> list[_Worker]:
    env = os.environ | {"PORTAL_ENV": "test", "PYTHONUNBUFFERED": "1", "BENCH_LOAD_VALIDATOR": "1"}
    workers = []
    for index in range(1, WORKERS + 1):
        node_name = f"bench{index}@{socket.gethostname()}"
        log_path = log_dir / f"bench{index}.log"
        # WARNING: INFO would log two lines per task, and the bench would time logging.
        argv = worker_argv(node_name, loglevel="WARNING")
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
                argv,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        workers.append(_Worker(process, node_name, log_path))
    return workers


def _check_alive(workers: list[_Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is not None:
            raise CommandError(f"worker {worker.node_name} exited; log:\n{worker.log_tail()}")


def _wait_until_ready(workers: list[_Worker]) -> None:
    names = [worker.node_name for worker in workers]
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        _check_alive(workers)
        replies = celery_app.control.ping(destination=names, timeout=1) or []
        if {name for reply in replies for name in reply} >= set(names):
            return
    raise CommandError(f"workers did not answer a ping within {START_TIMEOUT:.0f}s")


def _wait(workers: list[_Worker], done: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `done` every POLL_SECONDS; return the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return time.monotonic()
        _check_alive(workers)
        time.sleep(POLL_SECONDS)
    raise CommandError(f"{what} not done within {timeout:.0f}s")


def _noop_total(workers: list[_Worker]) -> int:
    """Sum the workers' own count of no-op tasks they started (worker stats, no result backend)."""
    names = [worker.node_name for worker in workers]
    # limit: return as soon as every worker answered, instead of waiting out the timeout.
    stats = celery_app.control.inspect(destination=names, timeout=2.0, limit=len(names)).stats()
    if not stats or len(stats) < len(names):
        return -1
    return sum(int(reply.get("total", {}).get(NOOP_TASK, 0)) for reply in stats.values())


def _noop_rate(workers: list[_Worker], count: int) -> float:
    """Time sending `count` no-op tasks until the workers have run them all; return tasks/s.

    Completion comes from the workers' task counters (`inspect().stats()`), so the no-op stays
    a true no-op: a Redis INCR per task would add a round trip to the baseline. The counter
    moves when a task starts; a solo worker runs the no-op at once, so that is its end too.
    """
    from portal.celery import noop

    before = _noop_total(workers)
    if before < 0:
        raise CommandError("a worker did not answer inspect().stats()")
    start = time.monotonic()
    for _ in range(count):
        noop.delay()
    end = _wait(workers, lambda: _noop_total(workers) >= before + count, 600, "no-op tasks")
    return count / (end - start)


def _delivery_rate(
    workers: list[_Worker], user: Any, invoice_ids: list[int]
) -> tuple[float, float]:
    """Time from the first invoice_send call until every delivery is DELIVERED.

    Return invoices/s and the seconds the send loop alone took.
    """
    from invoices.models import Delivery, Invoice
    from invoices.services.sending import invoice_send

    start = time.monotonic()
    for invoice_id in invoice_ids:
        invoice = Invoice.objects.select_related("organisation").get(pk=invoice_id)
        invoice_send(invoice=invoice, user=user, confirm_duplicate=True)
    sent = time.monotonic() - start

    def delivered() -> bool:
        failed = Delivery.objects.filter(status=Delivery.Status.FAILED).count()
        if failed:
            raise CommandError(f"{failed} deliveries failed")
        done = Delivery.objects.filter(status=Delivery.Status.DELIVERED).count()
        return done >= len(invoice_ids)

    end = _wait(workers, delivered, max(120.0, len(invoice_ids) / 5), "deliveries")
    return len(invoice_ids) / (end - start), sent


@dataclass(frozen=True)
class _Cpu:
    """CPU seconds spent: by this process (the sender), by the workers, by the machine."""

    sender: float
    workers: float
    machine: float
    wall: float

    def __sub__(self, earlier: _Cpu) -> _Cpu:
        return _Cpu(
            self.sender - earlier.sender,
            self.workers - earlier.workers,
            self.machine - earlier.machine,
            self.wall - earlier.wall,
        )

    def per_invoice(self, count: int) -> str:
        """Say where the machine's CPU went, per invoice; the rest is PostgreSQL and Redis."""
        rest = self.machine - self.sender - self.workers
        cores = os.cpu_count() or 1
        busy = self.machine / (self.wall * cores) * 100
        return (
            f"CPU per invoice: send {self.sender * 1000 / count:.1f} ms, workers "
            f"{self.workers * 1000 / count:.1f} ms, PostgreSQL, Redis and the rest "
            f"{rest * 1000 / count:.1f} ms; the machine was {busy:.0f} % busy ({cores} cores)"
        )


def _cpu_snapshot(workers: list[_Worker]) -> _Cpu:
    return _Cpu(
        sender=time.process_time(),
        workers=sum(_process_cpu(worker.process.pid) for worker in workers),
        machine=_machine_cpu(),
        wall=time.monotonic(),
    )


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """Return the user + system CPU seconds of a process and its children (from /proc)."""
    # Fields after the command name (which may hold spaces) start at "state"; utime is 14th.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    own = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return own + sum(_process_cpu(child) for child in _children(pid))


def _machine_cpu() -> float:
    """Return the CPU seconds all cores have spent busy since boot (/proc/stat)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return (sum(values[:8]) - idle) / _CLOCK_TICKS


def _peak_rss_mib(pid: int) -> float:
    """Return the highest VmHWM (peak resident set) of the process and its children, in MiB."""
    peaks = [_vm_hwm_kib(pid)]
    for child in _children(pid):
        peaks.append(_peak_rss_mib(child) * 1024)
    return max(peaks) / 1024


def _vm_hwm_kib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    return 0.0


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(child) for child in text)
    return children
