"""The `load` benchmark of `make bench`: the API under load, with and without faults.

Two runs, each on the whole stack as it runs in production: gunicorn (as in bench_api: 2 workers of
4 threads), two Celery workers (-P solo), Celery beat (the sweeper), PostgreSQL, a Redis of
its own (started here, so it can be restarted without touching anyone else's) and the
PEPPOL test receiver as the buyers' access point. 8 client threads play the ERPs: each
creates an invoice over the API and sends it, with an Idempotency-Key, and repeats a request
the way an ERP would when the connection drops or the answer is a 5xx.

- month end: 10,000 invoices (BENCH_MONTH_END_INVOICES), no faults. `month_end_10k_s` is the
  seconds from the first create to the last delivery; beside it the CPU of the whole machine
  per invoice, split into web, workers and the rest (PostgreSQL, Redis, beat), without the
  clients and the receiver: they stand for the ERPs and the buyers' access point.
- faults: 2,000 invoices (BENCH_LOAD_INVOICES); at a quarter of the sends one worker is
  SIGKILLed (and started again 3 s later, as a supervisor would), at three fifths Redis is
  killed and started again empty (it keeps nothing on disk: every queued task is lost).
  Each strikes a backlog: the workers stand still for a few seconds first (see Faults). The
  sweeper finds what was lost; the receiver dedupes on the delivery's id. Every invoice must
  be stored exactly once at the receiver; the figures give the throughput and the delay from
  send to delivered (p50, p99, the slowest, how many waited over 5 s), beside the same
  figures of the month-end run.

The sweeper's pauses are shortened (LOAD_SETTINGS) so that an outage costs seconds, not the
production defaults' minutes; the report says so.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from invoices.bench_api import (
    CLIENTS,
    REQUEST_TIMEOUT,
    START_TIMEOUT,
    STOP_TIMEOUT,
    _free_port,
    _start_gunicorn,
)
from portal.benchmarks import (
    Figure,
    Row,
    benchmark,
    print_figure,
    report_rows,
    run_on_bench_servers,
)

CELERY_WORKERS = 2
RETRIES = 20  # of one request, 0.25 s apart: longer than a Redis restart
STALL_SECONDS = 5.0  # the workers stand still before each fault: see Faults
CUSTOMERS = 50
# The sweeper's pauses for this run: a lost task is found within seconds.
LOAD_SETTINGS = {
    "DELIVERY_SWEEP_SECONDS": "2",
    "DELIVERY_QUEUED_GRACE_SECONDS": "15",
    "DELIVERY_SENDING_TIMEOUT_SECONDS": "10",
    "API_RATE_PER_KEY": "100000000/hour",
    "LOG_LEVEL": "WARNING",
    # The bench runs under the test settings (DEBUG off), which close every connection;
    # production keeps them (portal/settings.py), and so does this run.
    "DATABASE_CONN_MAX_AGE": "600",
}


report_rows(
    Row("month_end_10k_s", at_most=60),
    Row("month_end_cpu_ms_per_invoice", at_most=12),
    Row("month_end_missing", at_most=0),
    Row("month_end_stored_twice", at_most=0),
    Row("load_faults_missing", at_most=0),
    Row("load_faults_stored_twice", at_most=0),
)


@benchmark
def load() -> Iterator[Figure]:
    """Month end (10,000 invoices over the API) and a run with a killed worker and Redis."""
    measuring = "from invoices.bench_load import measure; measure()"
    yield from run_on_bench_servers("load", [sys.executable, "-c", measuring], LOAD_SETTINGS)


# --- The measuring process ----------------------------------------------------------------


def measure() -> None:
    """Start a Redis of our own, set Django up on it, run both scenarios, print figures."""
    month_end = int(os.environ.get("BENCH_MONTH_END_INVOICES", "10000"))
    faulty = int(os.environ.get("BENCH_LOAD_INVOICES", "2000"))
    clients = int(os.environ.get("BENCH_LOAD_CLIENTS", str(CLIENTS)))
    with RedisServer.started() as redis_server:
        _setup_django(redis_server.url)
        for figure in run_scenarios(redis_server, month_end, faulty, clients):
            print_figure(figure)


def _setup_django(redis_url: str) -> None:
    os.environ.update(
        {"REDIS_URL": redis_url, "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1"}
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def run_scenarios(
    redis_server: RedisServer, month_end: int, faulty: int, clients: int
) -> Iterator[Figure]:
    """Re-create the bench database, start the stack, run month end then faults."""
    from django.core.management import call_command

    from invoices.management.commands.bench_delivery import (
        _recreate_database,
        _require_bench_services,
    )

    _require_bench_services()
    _recreate_database()
    call_command("migrate", verbosity=0)
    with Stack.started(redis_server) as stack:
        if month_end:
            calm = run_scenario(stack, "month end", month_end, clients, faults=False)
            yield from calm.figures("month_end", month_end, clients)
        if faulty:
            rough = run_scenario(stack, "faults", faulty, clients, faults=True)
            yield from rough.figures("load_faults", faulty, clients)


def say(text: str) -> None:
    print(f"  {text}", flush=True)


# --- Processes: Redis, gunicorn, workers, beat, the receiver -------------------------------


class RedisServer:
    """A redis-server of this run's own on a free port, that keeps nothing on disk."""

    def __init__(self, work_dir: Path) -> None:
        self.port = _free_port()
        self.work_dir = work_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def started(cls) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def running() -> Iterator[RedisServer]:
            if shutil.which("redis-server") is None:
                raise SystemExit("the load benchmark needs redis-server on the PATH")
            with tempfile.TemporaryDirectory(prefix="bench-redis-") as work_dir:
                server = cls(Path(work_dir))
                server.start()
                try:
                    yield server
                finally:
                    server.kill()

        return running()

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", str(self.work_dir)]
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not listen on {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self) -> float:
        """Kill Redis and start it again, empty; return the seconds it was away."""
        started = time.monotonic()
        self.kill()
        self.start()
        return time.monotonic() - started


@dataclass
class Stack:
    """The processes of one run, and how to kill and revive a worker."""

    redis: RedisServer
    log_dir: Path
    base_url: str = ""
    receiver_url: str = ""
    web: subprocess.Popen[bytes] | None = None
    receiver: subprocess.Popen[bytes] | None = None
    beat: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    killed: dict[str, float] = field(default_factory=dict)  # CPU of the killed, by process

    @classmethod
    def started(cls, redis_server: RedisServer) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def running() -> Iterator[Stack]:
            with tempfile.TemporaryDirectory(prefix="bench-load-") as log_dir:
                stack = cls(redis_server, Path(log_dir))
                try:
                    stack.start()
                    yield stack
                finally:
                    stack.stop()

        return running()

    def env(self) -> dict[str, str]:
        return os.environ | {"PYTHONUNBUFFERED": "1", "PEPPOL_ACCESS_POINT_URL": self.receiver_url}

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        from django.conf import settings

        with (self.log_dir / f"{name}.log").open("ab") as log:
            return subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
                argv,
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def log_tail(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]

    def start(self) -> None:
        port = _free_port()
        self.receiver = self.spawn(
            "receiver", [sys.executable, "manage.py", "peppol_test_receiver", "--port", str(port)]
        )
        self.receiver_url = f"http://127.0.0.1:{port}/peppol/v1/messages"
        web_port = _free_port()
        self.base_url = f"http://127.0.0.1:{web_port}"
        self.web = _start_gunicorn(web_port, self.log_dir / "web.log")
        for index in range(1, CELERY_WORKERS + 1):
            self.start_worker(f"load{index}")
        schedule = str(self.log_dir / "celerybeat-schedule")
        self.beat = self.spawn(
            "beat",
            [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=WARNING",
             "--schedule", schedule],
        )
        self._wait_until_serving()

    def start_worker(self, name: str) -> None:
        from portal.workers import worker_argv

        argv = worker_argv(f"{name}@{socket.gethostname()}", loglevel="WARNING")
        self.workers[name] = self.spawn(name, argv)

    def signal_workers(self, signum: int) -> None:
        for worker in self.workers.values():
            if worker.poll() is None:
                worker.send_signal(signum)

    def kill_worker(self, name: str) -> None:
        self.remember_before_kill("workers", self.workers[name])
        self.workers[name].send_signal(signal.SIGKILL)
        self.workers[name].wait()

    def _wait_until_serving(self) -> None:
        from portal.celery import app as celery_app

        names = [f"{name}@{socket.gethostname()}" for name in self.workers]
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                self.check_alive()
                try:
                    ready = client.get(f"{self.base_url}/healthz").status_code == 200
                    receiving = client.get(self.receiver_url.replace("/peppol/v1/messages",
                                                                     "/messages")).is_success
                except httpx.TransportError:
                    ready = receiving = False
                replies = celery_app.control.ping(destination=names, timeout=1) or []
                if ready and receiving and {n for r in replies for n in r} >= set(names):
                    return
        raise RuntimeError(f"the stack did not come up within {START_TIMEOUT:.0f}s")

    def check_alive(self) -> None:
        processes = {"web": self.web, "receiver": self.receiver, "beat": self.beat, **self.workers}
        for name, process in processes.items():
            if process is not None and process.poll() not in (None, -signal.SIGKILL):
                raise RuntimeError(f"{name} exited; log:\n{self.log_tail(name)}")

    def stop(self) -> None:
        from portal.workers import stop_process

        for process in [self.web, self.beat, *self.workers.values(), self.receiver]:
            if process is not None:
                stop_process(process, timeout=STOP_TIMEOUT)

    def cpu_by_process(self) -> dict[str, float]:
        """CPU seconds so far of each process of the stack, as "<part>:<pid>" (with children).

        PostgreSQL's backends for this database count too: web and workers keep their
        connections, so the backends live through a scenario. A process the run killed
        keeps what it had spent just before (remember_before_kill).
        """
        from invoices.management.commands.bench_delivery import _process_cpu

        parts: dict[str, list[subprocess.Popen[bytes] | None]] = {
            "web": [self.web],
            "workers": list(self.workers.values()),
            "redis": [self.redis.process, self.beat],
            "receiver": [self.receiver],
        }
        spent = dict(self.killed)
        for part, processes in parts.items():
            for process in processes:
                if process is not None and process.poll() is None:
                    spent[f"{part}:{process.pid}"] = _process_cpu(process.pid)
        for pid in _database_backends():
            spent[f"database:{pid}"] = _process_cpu(pid)
        spent["clients:"] = time.process_time()
        return spent

    def remember_before_kill(self, part: str, process: subprocess.Popen[bytes] | None) -> None:
        from invoices.management.commands.bench_delivery import _process_cpu

        if process is not None and process.poll() is None:
            self.killed[f"{part}:{process.pid}"] = _process_cpu(process.pid)


def _database_backends() -> list[int]:
    """The PostgreSQL backends connected to this database now (the server is on this host)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    return [pid for pid in pids if Path(f"/proc/{pid}/stat").exists()]


# --- One scenario: clients, faults, waiting, what the receiver got ------------------------


@dataclass
class Seller:
    organisation_id: int
    secret: str
    customer_ids: list[int]


def _seller(label: str) -> Seller:
    """A verified seller with an API key and customers reached over PEPPOL (not timed)."""
    from django.utils import timezone

    from accounts.models import Membership, Organisation, Plan
    from accounts.services import api_key_create
    from accounts.tests.factories import (
        MembershipFactory,
        OrganisationFactory,
        org_number_for,
    )
    from invoices.tests.factories import CustomerFactory

    seller = OrganisationFactory(
        legal_name=f"Last {label} AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    owner = MembershipFactory(organisation=seller, role=Membership.Role.OWNER).user
    # Org numbers no member holds (the factories count from 0): the route is PEPPOL.
    numbers = [org_number_for(70000 + n) for n in range(CUSTOMERS)]
    customers = [
        CustomerFactory(
            organisation=seller, org_number=number, peppol_id="0007:" + number.replace("-", "")
        )
        for number in numbers
    ]
    _key, secret = api_key_create(actor=owner, organisation=seller, name="Load ERP")
    # A seller with a month end of thousands of invoices is an established one; a young one
    # sending so many is what the velocity check (invoices/services/velocity.py) flags.
    Organisation.objects.filter(pk=seller.pk).update(
        created_at=timezone.now() - timedelta(days=365)
    )
    return Seller(seller.pk, secret, [customer.pk for customer in customers])


def _invoice_body(customer_id: int, serial: int) -> dict[str, Any]:
    """Three lines, three VAT rates; the amounts vary, so no invoice looks like another."""
    return {
        "customer_id": customer_id,
        "buyer_reference": f"Order {serial}",
        "lines": [
            {"description": "Konsulttimmar", "quantity": str(1 + serial % 40),
             "unit_code": "HUR", "unit_price": "950"},
            {"description": "Kurslitteratur", "quantity": "3",
             "unit_price": f"{100 + serial % 997}.50", "vat_rate": "12"},
            {"description": "Tidskrift", "quantity": "1", "unit_price": "120", "vat_rate": "6"},
        ],
    }


@dataclass
class ClientLog:
    """What one client did: the invoices it sent (id → when the send was answered)."""

    sent: dict[str, float] = field(default_factory=dict)
    repeats: int = 0
    failures: list[str] = field(default_factory=list)


def _post(client: httpx.Client, log: ClientLog, path: str, body: dict[str, Any]) -> Any:
    """POST with an Idempotency-Key, repeated as an ERP would on a dropped line or a 5xx."""
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    answer = ""
    for attempt in range(RETRIES):
        if attempt:
            log.repeats += 1
            time.sleep(0.25)
        try:
            response = client.post(path, json=body, headers=headers)
        except httpx.TransportError as error:
            answer = repr(error)
            continue
        # 409 with this key: the first try is still running; 429: the throttle.
        if response.status_code >= 500 or response.status_code in (409, 429):
            answer = f"{response.status_code} {response.text[:200]}"
            continue
        if response.is_success:
            return response.json()
        answer = f"{response.status_code} {response.text[:300]}"
        break
    log.failures.append(f"POST {path}: {answer}")
    return None


def _client_run(
    base_url: str, seller: Seller, serials: range, progress: Callable[[], None]
) -> ClientLog:
    log = ClientLog()
    headers = {"Authorization": f"Bearer {seller.secret}", "Accept-Language": "en"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT) as client:
        for serial in serials:
            customer = seller.customer_ids[serial % len(seller.customer_ids)]
            created = _post(client, log, "/api/v1/invoices", _invoice_body(customer, serial))
            if created is None:
                continue
            if _post(client, log, f"/api/v1/invoices/{created['id']}/send", {}) is not None:
                log.sent[created["id"]] = time.time()
            progress()
    return log


class Faults:
    """Kill a worker at a quarter of the sends and Redis at three fifths, once each.

    The workers keep up with the API, so at any moment the queue is all but empty and a
    fault would hit nothing. Each fault therefore comes in a stall: the workers are stopped
    (SIGSTOP) for STALL_SECONDS while the clients go on, and the fault strikes a backlog.
    The SIGKILLed worker holds the task it had taken; Redis takes the whole backlog with it.
    """

    def __init__(self, stack: Stack, total: int) -> None:
        self.stack = stack
        self.total = total
        self.done = 0
        self.lock = threading.Lock()
        self.events: list[str] = []
        self.threads: list[threading.Thread] = []

    def progress(self) -> None:
        with self.lock:
            self.done += 1
            done = self.done
        if done == self.total // 4:
            self._in_background(self._kill_worker)
        elif done == self.total * 3 // 5:
            self._in_background(self._restart_redis)

    def _in_background(self, fault: Callable[[], None]) -> None:
        thread = threading.Thread(target=fault)
        thread.start()
        self.threads.append(thread)

    def _stall(self) -> int:
        """Stop the workers while the clients go on; return the backlog it left."""
        from invoices.models import Delivery

        self.stack.signal_workers(signal.SIGSTOP)
        time.sleep(STALL_SECONDS)
        return Delivery.objects.filter(status=Delivery.Status.QUEUED).count()

    def _kill_worker(self) -> None:
        backlog = self._stall()
        self.stack.kill_worker("load1")
        self.stack.signal_workers(signal.SIGCONT)
        self.events.append(f"worker load1 SIGKILLed at send {self.done}, {backlog} queued")
        time.sleep(3)  # a supervisor's restart delay
        self.stack.start_worker("load1")

    def _restart_redis(self) -> None:
        backlog = self._stall()
        self.stack.remember_before_kill("redis", self.stack.redis.process)
        away = self.stack.redis.restart()
        self.stack.signal_workers(signal.SIGCONT)
        self.events.append(
            f"Redis killed and restarted empty at send {self.done}, {backlog} queued "
            f"({away:.2f} s away)"
        )

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


def _no_faults() -> None:
    pass


@dataclass
class Outcome:
    """What a scenario measured."""

    wall: float  # first create → last delivery
    delays: list[float]  # send answered → delivered, per invoice
    cpu: dict[str, float]
    repeats: int
    stored_once: int
    stored_twice: int
    refused_reposts: int
    missing: int

    def figures(self, prefix: str, count: int, clients: int) -> Iterator[Figure]:
        cut = statistics.quantiles(self.delays, n=100, method="inclusive")
        ours = sum(self.cpu[part] for part in _PARTS)
        what = f"{count} invoices, {clients} clients over the API"
        if prefix == "month_end":
            yield Figure(
                f"month_end_{count // 1000}k_s", self.wall, "s",
                f"Month end: {what}, first create to last delivery (goal: 60 s)",
            )
        else:
            yield Figure(
                f"{prefix}_invoices_per_s", count / self.wall, "invoices/s",
                f"With a worker SIGKILLed and Redis restarted: {what}, create to delivered",
            )
        yield Figure(f"{prefix}_delay_p50_s", cut[49], "s", f"{prefix}: send to delivered, p50")
        yield Figure(f"{prefix}_delay_p99_s", cut[98], "s", f"{prefix}: send to delivered, p99")
        yield Figure(
            f"{prefix}_delay_max_s", max(self.delays), "s", f"{prefix}: the slowest, send to done"
        )
        yield Figure(
            f"{prefix}_delayed_over_5s", sum(delay > 5 for delay in self.delays), "invoices",
            f"{prefix}: delivered more than 5 s after the send (lost with a worker or Redis, "
            "found by the sweeper)",
        )
        yield Figure(
            f"{prefix}_cpu_ms_per_invoice", ours * 1000 / count, "ms",
            f"{prefix}: CPU per invoice of web, workers, PostgreSQL and Redis (not the clients, "
            f"the receiver, or other work the machine did: {self.cpu['other'] * 1000 / count:.1f}"
            " ms per invoice)",
        )
        for part in _PARTS:
            yield Figure(
                f"{prefix}_cpu_{part}_ms", self.cpu[part] * 1000 / count, "ms",
                f"{prefix}: of which {_PARTS[part]}",
            )
        counts = {
            "missing": (self.missing, "invoices", "sent but not at the receiver (goal: 0)"),
            "stored_twice": (self.stored_twice, "invoices", "stored twice there (goal: 0)"),
            "refused_reposts": (
                self.refused_reposts, "posts", "posts it refused as repeats (resent after a crash)"
            ),
            "client_repeats": (self.repeats, "requests", "repeated by clients (line lost, 5xx)"),
        }
        for name, (value, unit, text) in counts.items():
            yield Figure(f"{prefix}_{name}", value, unit, f"{prefix}: {text}")


_PARTS = {
    "web": "web (gunicorn)",
    "workers": "Celery workers",
    "database": "PostgreSQL (this database's backends)",
    "redis": "Redis and beat",
}


def run_scenario(stack: Stack, label: str, count: int, clients: int, *, faults: bool) -> Outcome:
    """Create and send `count` invoices from `clients` threads; wait for every delivery."""
    from invoices.management.commands.bench_delivery import _machine_cpu

    seller = _seller(label)
    injector = Faults(stack, count) if faults else None
    progress = injector.progress if injector else _no_faults
    shares = [range(index, count, clients) for index in range(clients)]
    say(f"{label}: {count} invoices from {clients} clients")
    cpu_before, machine_before = stack.cpu_by_process(), _machine_cpu()
    started = time.time()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        logs = list(pool.map(lambda serials: _client_run(stack.base_url, seller, serials,
                                                         progress), shares))
    if injector:
        injector.join()
        for event in injector.events:
            say(event)
    sent = {key: when for log in logs for key, when in log.sent.items()}
    failures = [failure for log in logs for failure in log.failures]
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed; first: {failures[0]}")
    say(f"{label}: {len(sent)} sent in {time.time() - started:.1f} s; waiting for delivery")
    delivered = _wait_for_deliveries(stack, seller, len(sent))
    cpu_after, machine_after = stack.cpu_by_process(), _machine_cpu()
    cpu: dict[str, float] = dict.fromkeys(_PARTS, 0.0)
    for key, value in cpu_after.items():
        part = key.partition(":")[0]
        cpu[part] = cpu.get(part, 0.0) + value - cpu_before.get(key, 0.0)
    cpu["other"] = machine_after - machine_before - sum(cpu.values())
    stored = _stored_at_receiver(stack)
    keys = set(delivered)
    keys_by_invoice = _keys_by_invoice(seller)
    return Outcome(
        wall=max(delivered.values()) - started,
        delays=[delivered_at - sent[invoice] for invoice, delivered_at in _by_invoice(seller)],
        cpu=cpu,
        repeats=sum(log.repeats for log in logs),
        stored_once=sum(1 for key in keys if key in stored),
        # The receiver keeps one message per key (the delivery's id): an invoice could only
        # be stored twice under two deliveries.
        stored_twice=sum(
            1 for ids in keys_by_invoice.values() if sum(key in stored for key in ids) > 1
        ),
        refused_reposts=sum(stored[key] - 1 for key in keys if key in stored),
        missing=sum(1 for key in keys if key not in stored),
    )


def _wait_for_deliveries(stack: Stack, seller: Seller, count: int) -> dict[str, float]:
    """Wait until the seller's `count` deliveries are delivered; return id → delivered at."""
    from invoices.models import Delivery

    deliveries = Delivery.objects.filter(organisation_id=seller.organisation_id)
    deadline = time.monotonic() + max(300.0, count / 2)
    while time.monotonic() < deadline:
        stack.check_alive()
        failed = deliveries.filter(status=Delivery.Status.FAILED).count()
        if failed:
            raise RuntimeError(f"{failed} deliveries failed")
        if deliveries.filter(status=Delivery.Status.DELIVERED).count() >= count:
            rows = deliveries.values_list("public_id", "delivered_at")
            return {str(key): when.timestamp() for key, when in rows if when is not None}
        time.sleep(0.5)
    raise RuntimeError(f"not every delivery was delivered within {deadline:.0f}s")


def _by_invoice(seller: Seller) -> Iterator[tuple[str, float]]:
    from invoices.models import Delivery

    rows = Delivery.objects.filter(organisation_id=seller.organisation_id).values_list(
        "invoice__public_id", "delivered_at"
    )
    for invoice_id, delivered_at in rows:
        if delivered_at is not None:
            yield str(invoice_id), delivered_at.timestamp()


def _keys_by_invoice(seller: Seller) -> dict[str, list[str]]:
    from invoices.models import Delivery

    keys: dict[str, list[str]] = {}
    rows = Delivery.objects.filter(organisation_id=seller.organisation_id).values_list(
        "invoice__public_id", "public_id"
    )
    for invoice_id, key in rows:
        keys.setdefault(str(invoice_id), []).append(str(key))
    return keys


def _stored_at_receiver(stack: Stack) -> dict[str, int]:
    """Return each stored message's key and how many times it was posted."""
    url = stack.receiver_url.replace("/peppol/v1/messages", "/messages")
    answer = httpx.get(url, timeout=60).json()
    messages = answer["messages"] if isinstance(answer, dict) else answer
    return {message["key"]: int(message["count"]) for message in messages}

