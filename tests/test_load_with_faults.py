"""The load benchmark at CI's size: a worker SIGKILLed and Redis restarted mid-run.

`make bench` runs invoices/bench_load.py with 2,000 invoices from 8 clients; here the same
code runs with 120 from 4, on the whole stack (gunicorn, two Celery workers, beat, its own
Redis, the PEPPOL test receiver, PostgreSQL). Every invoice sent must reach the receiver
exactly once, whatever was lost with the worker and with Redis; the run itself fails if a
delivery fails or does not arrive.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from invoices.bench_load import LOAD_SETTINGS
from invoices.management.commands.bench_delivery import drop_database

pytestmark = pytest.mark.integration

INVOICES = 120
CLIENTS = 4
BENCH = re.compile(r"^BENCH (\w+) (-?[\d.]+)$", re.MULTILINE)


def _bench_database_url() -> tuple[str, str]:
    """A database of its own beside the test database: the run drops and re-creates it."""
    database = settings.DATABASES["default"]
    name = f"{database['NAME']}_loadbench"
    user = database["USER"] or "postgres"
    url = f"postgres://{user}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"
    return url, name


def test_every_invoice_reaches_the_receiver_once_through_a_killed_worker_and_redis() -> None:
    url, name = _bench_database_url()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL", "DEBUG"}
    } | LOAD_SETTINGS | {
        "PORTAL_ENV": "test",
        "DATABASE_URL": url,
        "BENCH_MONTH_END_INVOICES": "0",
        "BENCH_LOAD_INVOICES": str(INVOICES),
        "BENCH_LOAD_CLIENTS": str(CLIENTS),
    }
    try:
        run = subprocess.run(
            [sys.executable, "-c", "from invoices.bench_load import measure; measure()"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        drop_database(name)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = {name: float(value) for name, value in BENCH.findall(run.stdout)}

    assert "worker load1 SIGKILLed" in run.stdout
    assert "Redis killed and restarted empty" in run.stdout
    assert figures["load_faults_missing"] == 0
    assert figures["load_faults_stored_twice"] == 0
    assert figures["load_faults_invoices_per_s"] > 0
    # Redis took a backlog with it: those invoices went out only when the sweeper found them.
    assert figures["load_faults_delayed_over_5s"] > 0
    assert figures["load_faults_client_repeats"] == 0  # no 5xx, no dropped line
