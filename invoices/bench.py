"""The `delivery` benchmark of `make bench`: real workers on PostgreSQL and Redis.

`manage.py bench` runs under the demo's settings (SQLite, filesystem broker), so this runs
`manage.py bench_delivery` in a subprocess on the bench database and Redis database, and
relays its figures. Without PostgreSQL or Redis it says why and yields nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import redis
from django.conf import settings
from django.core.management.base import CommandError

from portal.management.commands.bench import Figure, benchmark

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/efaktura_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
TIMEOUT = 3
# bench_delivery prints "<text>: <value> <unit>" and then "BENCH <name> <value>".
_HUMAN = re.compile(r"^(?P<text>.+): (?P<value>-?[\d.]+) (?P<unit>\S+)$")
_BENCH = re.compile(r"^BENCH (?P<name>\w+) (?P<value>-?[\d.]+)$")


@benchmark
def delivery() -> Iterator[Figure]:
    """Deliver invoices to the network inbox with 2 workers; compare with a no-op task."""
    invoices = os.environ.get("BENCH_DELIVERY_INVOICES", "5000")
    argv = [sys.executable, "manage.py", "bench_delivery", "--invoices", invoices]
    yield from run_on_bench_servers("delivery", argv)


def run_on_bench_servers(
    name: str, argv: list[str], extra_env: dict[str, str] | None = None
) -> Iterator[Figure]:
    """Run a benchmark's process against the bench PostgreSQL and Redis, if they answer.

    The process gets the test settings (DEBUG off, as production runs) and its own var
    dir: nothing a run writes may land in the demo's var/.
    """
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    problem = _unavailable(database_url, redis_url)
    if problem:
        print(f"{name} benchmark skipped: {problem}", flush=True)
        return
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as var_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CACHE_URL", "CELERY_BROKER_URL", "DEBUG"}
        } | {
            "PORTAL_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORTAL_VAR_DIR": var_dir,
            **(extra_env or {}),
        }
        yield from _relay(name, argv, env)


def _relay(name: str, argv: list[str], env: dict[str, str]) -> Iterator[Figure]:
    """Run a benchmark's process; pass its progress lines through, its figures as Figures."""
    process = subprocess.Popen(  # noqa: S603 - fixed argv built from sys.executable
        argv, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert process.stdout is not None
    human: re.Match[str] | None = None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            bench = _BENCH.match(line)
            if bench and human is not None:
                yield Figure(bench["name"], float(bench["value"]), human["unit"], human["text"])
                human = None
                continue
            if human is not None:
                print(human.string, flush=True)  # looked like a figure's text line, was not
                human = None
            if bench is None and (match := _HUMAN.match(line)):
                human = match  # the text line of the figure on the next line
            else:
                print(line, flush=True)
    finally:
        if process.poll() is None:
            process.terminate()  # its finally stops the workers
        returncode = process.wait()
    if returncode != 0:
        raise CommandError(f"the {name} benchmark failed (exit status {returncode})")


def _unavailable(database_url: str, redis_url: str) -> str:
    """Return why the bench servers cannot be used, or "" when both answer."""
    # The bench database may not exist yet: ask the server's maintenance database.
    server_url = urlsplit(database_url)._replace(path="/postgres").geturl()
    try:
        psycopg.connect(server_url, connect_timeout=TIMEOUT).close()
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"PostgreSQL at {_where(database_url)} does not answer ({first_line})"
    try:
        redis.Redis.from_url(
            redis_url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        ).ping()
    except redis.RedisError as error:
        return f"Redis at {_where(redis_url)} does not answer ({error})"
    return ""


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}{parts.path}"
