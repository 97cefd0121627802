"""The `api` benchmark of `make bench`: the REST API under gunicorn, 8 clients over loopback.

Issue 12 asks how much slower `POST /api/v1/invoices` (3 lines, JSON) is than the framework's
floor, `GET /healthz` (one query, one broker connection), under the same server and the same
8 concurrent clients (target: create p50 at most 5x the floor's, no errors); and that a list
page of 100 costs the queries of a page of 10.

Like `delivery` (invoices/bench.py) it runs in its own process on PostgreSQL and Redis
(portal/benchmarks.py relays its figures):
`measure()`, under the test settings with DEBUG off, DROPS and re-creates the bench database
(its name must hold "bench"), migrates it, makes a verified seller with a customer and an API
key, and then:

- starts gunicorn on a free loopback port: 2 workers (one per core here) of the gthread class
  with 4 threads each, so all 8 clients are inside Django at once and a thread waiting on
  PostgreSQL or Redis lets another one run; sync workers would hold 6 of the 8 clients in the
  listen backlog and close every connection after one answer (no keep-alive). On a 2-core
  machine both keep the CPU busy and gave the same throughput; then a p50 is mostly waiting
  for the CPU, and the ratio of two p50s is close to the ratio of what the requests cost;
- times 8 client threads (httpx, one Client each) in blocks that take turns, 100 healthz
  then 100 creates, four rounds: a burst of load on the machine hits both alike, and each is
  timed under its own load rather than queued behind the other;
- counts the queries of list pages of 10 and 100 in this process (Django's test client,
  same database), over the invoices the run created.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import django
import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from invoices.management.commands.bench_delivery import (
    _recreate_database,
    _require_bench_services,
)
from portal.benchmarks import (
    Figure,
    Row,
    benchmark,
    print_figure,
    report_rows,
    run_on_bench_servers,
)
from portal.workers import stop_process

CLIENTS = 8
WORKERS = 2
THREADS = 4
REQUESTS = 400  # of each kind, over all rounds
ROUNDS = 4
WARM_UP = 2 * CLIENTS  # of each kind, not timed: connections, imports, first-request costs
# High enough that no request of the run is refused; the throttle still counts every one.
RATE_PER_KEY = "1000000/hour"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 30.0
INVOICES = "/api/v1/invoices"
HEALTHZ = "/healthz"

report_rows(
    Row("api_create_p50_ms", floor="api_healthz_p50_ms", at_most=5),
    Row("api_errors", at_most=0),
    Row("api_list_queries_100", floor="api_list_queries_10", at_most=1),
)


@benchmark
def api() -> Iterator[Figure]:
    """Time invoice creates against /healthz under gunicorn with 8 clients; count list queries."""
    # Not `-m invoices.bench_api`: run as __main__, the module would be imported twice.
    measuring = "from invoices.bench_api import measure; measure()"
    extra_env = {"API_RATE_PER_KEY": RATE_PER_KEY, "LOG_LEVEL": "WARNING"}
    yield from run_on_bench_servers("api", [sys.executable, "-c", measuring], extra_env)


# --- The measuring process: measure() and what it calls ----------------------------------


@dataclass
class Timings:
    """Latencies of one kind of request, the wall time of its blocks, and what went wrong."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0
    first_error: str = ""

    def add(self, other: Timings, wall: float) -> None:
        self.latencies += other.latencies
        self.wall += wall
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error

    def percentile_ms(self, percent: int) -> float:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[percent - 1] * 1000

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall


Call = Callable[[httpx.Client], httpx.Response]


def measure() -> None:
    """Re-create the bench database, serve it with gunicorn, time the API, print figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    _require_bench_services()
    _recreate_database()
    call_command("migrate", verbosity=0)
    secret, customer_id = _seller()
    _say(f"database {settings.DATABASES['default']['NAME']} re-created, migrated, key made")
    creates, floors = _serve_and_time(_create_call(secret, customer_id))
    _say(
        f"healthz: p99 {floors.percentile_ms(99):.1f} ms, {floors.per_second:.0f} requests/s; "
        f"{len(creates.latencies)} creates and {len(floors.latencies)} healthz answered"
    )
    for timings in (creates, floors):
        if timings.first_error:
            _say(f"first error: {timings.first_error}")
        if len(timings.latencies) < 2:
            raise CommandError("too few answers to take percentiles of")
    for figure in _figures(creates, floors, _list_queries(secret)):
        print_figure(figure)  # relayed back to `manage.py bench` (portal/benchmarks.py)


def _serve_and_time(create: Call) -> tuple[Timings, Timings]:
    """Start gunicorn, warm it, time creates and healthz in turns; always stop it."""
    port = _free_port()
    clients = [
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=REQUEST_TIMEOUT)
        for _ in range(CLIENTS)
    ]
    with tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log") as log:
        server = _start_gunicorn(port, Path(log.name))
        try:
            _wait_until_healthy(server, clients[0], Path(log.name))
            _say(f"gunicorn on port {port}: {WORKERS} gthread workers, {THREADS} threads each")
            _block(clients, _healthz_call, 200, WARM_UP)
            _block(clients, create, 201, WARM_UP)
            return _rounds(clients, create, _healthz_call)
        finally:
            stop_process(server, timeout=STOP_TIMEOUT)
            for client in clients:
                client.close()


def _say(text: str) -> None:
    print(f"  {text}", flush=True)


def _seller() -> tuple[str, int]:
    """Make a verified Web Plus seller, its owner, a customer and a full API key (not timed)."""
    # The test factories build through the services, as users would; bench runs use the dev venv.
    from accounts.models import Membership, Organisation, Plan
    from accounts.services import api_key_create
    from accounts.tests.factories import MembershipFactory, OrganisationFactory
    from invoices.tests.factories import CustomerFactory

    seller = OrganisationFactory(
        legal_name="Bench Säljare AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    owner = MembershipFactory(
        organisation=seller, user__email="bench@example.com", role=Membership.Role.OWNER
    ).user
    customer = CustomerFactory(organisation=seller)
    _key, secret = api_key_create(actor=owner, organisation=seller, name="Bench ERP")
    return secret, customer.pk


def _create_call(secret: str, customer_id: int) -> Call:
    """Return a call that creates a 3-line draft invoice over the API, one per VAT rate."""
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    body = {
        "customer_id": customer_id,
        "buyer_reference": "Bench 1",
        "lines": [
            {
                "description": "Konsulttimmar",
                "quantity": "8",
                "unit_code": "HUR",
                "unit_price": "950",
            },
            {
                "description": "Kurslitteratur",
                "quantity": "3",
                "unit_price": "249.50",
                "vat_rate": "12",
            },
            {"description": "Tidskrift", "quantity": "1", "unit_price": "120", "vat_rate": "6"},
        ],
    }

    def create(client: httpx.Client) -> httpx.Response:
        return client.post(INVOICES, json=body, headers=headers)

    return create


def _healthz_call(client: httpx.Client) -> httpx.Response:
    return client.get(HEALTHZ)


def _free_port() -> int:
    # Another process could take the port before gunicorn binds it; on loopback that is rare,
    # and gunicorn then fails to start, which _wait_until_healthy reports.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_gunicorn(port: int, log: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=gthread",
        f"--threads={THREADS}",
        f"--error-logfile={log}",
        "--log-level=warning",
        # Its default control socket is one path per user: a demo's gunicorn may hold it.
        "--no-control-socket",
    ]
    return subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
        argv, cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )


def _wait_until_healthy(server: subprocess.Popen[bytes], client: httpx.Client, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited; log:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if client.get(HEALTHZ).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.2)
    raise CommandError(f"gunicorn did not answer /healthz with 200 within {START_TIMEOUT:.0f}s")


def _rounds(clients: list[httpx.Client], create: Call, healthz: Call) -> tuple[Timings, Timings]:
    """Time REQUESTS of each kind in blocks that take turns, healthz first in every round."""
    creates, floors = Timings(), Timings()
    per_block = REQUESTS // ROUNDS
    for _ in range(ROUNDS):
        for call, expected, timings in ((healthz, 200, floors), (create, 201, creates)):
            start = time.perf_counter()
            block = _block(clients, call, expected, per_block)
            timings.add(block, time.perf_counter() - start)
    return creates, floors


def _block(clients: list[httpx.Client], call: Call, expected: int, count: int) -> Timings:
    """Make `count` calls from all clients at once, each from its own thread; time each call."""
    shares = [
        count // len(clients) + (index < count % len(clients)) for index in range(len(clients))
    ]
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        parts = list(pool.map(partial(_timed_calls, call, expected), clients, shares))
    total = Timings()
    for part in parts:
        total.add(part, 0.0)
    return total


def _timed_calls(call: Call, expected: int, client: httpx.Client, count: int) -> Timings:
    timings = Timings()
    for _ in range(count):
        start = time.perf_counter()
        try:
            response = call(client)
        except httpx.HTTPError as error:
            timings.errors += 1
            timings.first_error = timings.first_error or repr(error)
            continue
        timings.latencies.append(time.perf_counter() - start)
        if response.status_code != expected:
            timings.errors += 1
            timings.first_error = timings.first_error or (
                f"{response.request.method} {response.request.url.path}: "
                f"{response.status_code} {response.text[:300]}"
            )
    return timings


def _list_queries(secret: str) -> dict[int, int]:
    """Count the queries of GET /invoices pages of 10 and of 100, in this process."""
    client = Client(headers={"authorization": f"Bearer {secret}"})
    client.get(INVOICES)  # the key's first use here is not what a page costs
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INVOICES, {"page_size": size})
        shown = len(response.json().get("results", [])) if response.status_code == 200 else 0
        if shown != size:
            raise CommandError(
                f"a list page of {size} answered {response.status_code}, {shown} rows"
            )
        counts[size] = len(queries)
    return counts


def _figures(creates: Timings, floors: Timings, queries: dict[int, int]) -> Iterator[Figure]:
    who = f"{CLIENTS} clients, gunicorn {WORKERS}x{THREADS} threads"
    create_p50 = creates.percentile_ms(50)
    floor_p50 = floors.percentile_ms(50)
    yield Figure(
        "api_create_p50_ms", create_p50, "ms", f"POST /api/v1/invoices, 3 lines, p50 ({who})"
    )
    yield Figure("api_create_p99_ms", creates.percentile_ms(99), "ms", "POST /api/v1/invoices, p99")
    yield Figure(
        "api_create_rps", creates.per_second, "requests/s", "POST /api/v1/invoices, throughput"
    )
    yield Figure("api_healthz_p50_ms", floor_p50, "ms", f"GET /healthz, p50 ({who})")
    yield Figure(
        "api_create_to_healthz_ratio",
        create_p50 / floor_p50,
        "x",
        "Create p50 / healthz p50 (target: at most 5)",
    )
    yield Figure(
        "api_errors",
        creates.errors + floors.errors,
        "requests",
        "Failed requests, creates and healthz (target: 0)",
    )
    for size in (10, 100):
        yield Figure(
            f"api_list_queries_{size}",
            queries[size],
            "queries",
            f"GET /api/v1/invoices, page of {size}",
        )
