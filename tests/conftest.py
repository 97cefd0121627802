"""Cross-app fixtures: a real Celery worker process for integration tests (personas follow)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings

from portal.celery import app as celery_app
from portal.workers import stop_process, worker_argv

WORKER_START_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class CeleryWorker:
    """A real worker process on the test database and the test broker."""

    process: subprocess.Popen[bytes]
    node_name: str
    log_path: Path

    def log(self) -> str:
        """Return everything the worker has logged so far."""
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        """Poll until condition() holds; fail with the worker's log when it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"condition not met within {timeout}s; worker log:\n{self.log()[-4000:]}")


# Module scope: a worker left running would take the delivery tests' tasks with the
# wrong settings; those tests start their own workers (worker_factory).
@pytest.fixture(scope="module")
def celery_worker_process(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    """Start a real `celery worker` on the test database and broker; stop it after the session.

    Tests that use it need @pytest.mark.django_db(transaction=True): the worker is
    another connection and only sees committed rows.
    """
    _require_real_services()
    log_path = tmp_path_factory.mktemp("celery-worker") / "worker.log"
    node_name = f"pytest-{os.getpid()}@{socket.gethostname()}"
    # Messages left by an earlier, interrupted run must not execute against this database.
    celery_app.control.purge()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            _worker_argv(node_name),
            cwd=settings.BASE_DIR,
            env=_worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    worker = CeleryWorker(process, node_name, log_path)
    try:
        _wait_until_ready(worker)
        yield worker
    finally:
        # Before pytest-django drops the test database, which fails while the worker is connected.
        _stop(process)


class WorkerFactory:
    """Start extra workers with their own settings; stop (or SIGKILL) them in the test."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.workers: list[CeleryWorker] = []

    def start(
        self, env: dict[str, str] | None = None, *, pool: str = "solo", concurrency: int = 1
    ) -> CeleryWorker:
        """Start a worker whose environment adds `env`; return once it answers a ping."""
        index = len(self.workers)
        node_name = f"pytest-{os.getpid()}-{index}@{socket.gethostname()}"
        log_path = self.log_dir / f"worker-{index}.log"
        argv = _worker_argv(node_name)
        argv[argv.index("solo")] = pool
        argv += ["--concurrency", str(concurrency)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                argv,
                cwd=settings.BASE_DIR,
                env=_worker_env() | (env or {}),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        worker = CeleryWorker(process, node_name, log_path)
        self.workers.append(worker)
        _wait_until_ready(worker)
        return worker

    def kill(self, worker: CeleryWorker) -> None:
        """SIGKILL the worker and its pool children: no goodbye, no acks."""
        os.killpg(worker.process.pid, 9)
        worker.process.wait()

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                _stop(worker.process)


@pytest.fixture
def worker_factory(django_db_setup: None, tmp_path: Path) -> Iterator[WorkerFactory]:
    """Workers started by the test itself (for crash and configuration tests)."""
    _require_real_services()
    celery_app.control.purge()
    factory = WorkerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()
        celery_app.control.purge()


def _require_real_services() -> None:
    """Refuse to run the worker on SQLite or the filesystem broker (the demo's)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the worker integration tests need PostgreSQL: run them with `make test`")
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        pytest.fail("the worker integration tests need Redis (REDIS_URL): use `make test`")


def _worker_argv(node_name: str) -> list[str]:
    """Build the worker's command line: one solo process, quiet about other nodes."""
    return [*worker_argv(node_name), "-I", "tests.worker_tasks"]


def _worker_env() -> dict[str, str]:
    """Return the tests' environment with DATABASE_URL pointing at the test database."""
    # pytest-django renamed the database (test_<name>) in settings, not in the environment.
    test_name = settings.DATABASES["default"]["NAME"]
    url = urlsplit(settings.DATABASE_URL)._replace(path="/" + quote(test_name)).geturl()
    return os.environ | {"PORTAL_ENV": "test", "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}


def _wait_until_ready(worker: CeleryWorker) -> None:
    """Ping the worker through the broker until it answers; fail with its log if it dies."""
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"celery worker exited at start-up; log:\n{worker.log()[-4000:]}")
        if celery_app.control.ping(destination=[worker.node_name], timeout=1):
            return
    pytest.fail(f"celery worker did not answer within {WORKER_START_TIMEOUT}s:\n{worker.log()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the worker for a warm shutdown; kill it when it does not stop in time."""
    stop_process(process, timeout=WORKER_STOP_TIMEOUT)


# --- The BankID simulator (a real process; see tests/bankid_simulator.py) -----------------

from tests.bankid_simulator import bankid_simulator, bankid_simulator_mtls, sim  # noqa: E402, F401

# --- Delivery channels: a PEPPOL test receiver process and a loopback SMTP server ---------
from tests.peppol_receiver import peppol_receiver  # noqa: E402, F401
from tests.smtp_server import smtp_server  # noqa: E402, F401

