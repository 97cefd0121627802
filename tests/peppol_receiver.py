"""Run the PEPPOL test receiver as a real process for tests, and drive its control endpoints.

`start_receiver(directory)` starts `manage.py peppol_test_receiver --port 0` storing into
`<directory>/received.jsonl`; starting again on the same directory is a restart that keeps
the receiver's dedupe. The session fixture `peppol_receiver` shares one per test run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from invoices.delivery.test_receiver import MESSAGES_PATH
from portal.workers import stop_process
from tests.processes import start_listening

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LISTENING = re.compile(r"PEPPOL test receiver listening on (\S+)")


@dataclass
class Receiver:
    """A running receiver process and a small client for its control endpoints."""

    process: subprocess.Popen[bytes]
    root_url: str  # e.g. "http://127.0.0.1:41234/"
    store_path: Path
    log_path: Path
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.root_url, timeout=10.0)

    @property
    def url(self) -> str:
        """Return the messages endpoint, as settings.PEPPOL_ACCESS_POINT_URL expects it."""
        return self.root_url.rstrip("/") + MESSAGES_PATH

    def fail_next(self, count: int, status: int = 500) -> None:
        """Make the next `count` posts answer `status`, storing nothing."""
        self._client.post("control", json={"fail_next": count, "status": status}).raise_for_status()

    def reset(self) -> None:
        """Drop injected failures and every stored message."""
        self._client.post("control", json={"reset": True}).raise_for_status()

    def messages(self) -> list[dict[str, Any]]:
        """Return what was stored: key, receiver, document, size, received_at, count."""
        listed: list[dict[str, Any]] = (
            self._client.get("messages").raise_for_status().json()["messages"]
        )
        return listed

    def message(self, key: str) -> dict[str, Any] | None:
        """Return the summary of one key, or None when nothing was stored under it."""
        return next((m for m in self.messages() if m["key"] == key), None)

    def xml(self, key: str) -> bytes:
        """Return the XML stored under a key."""
        return self._client.get(f"messages/{key}").raise_for_status().content

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close the client."""
        self._client.close()
        stop_process(self.process, timeout=STOP_TIMEOUT)


def start_receiver(directory: Path | str) -> Receiver:
    """Start a receiver on a free port that stores into directory/received.jsonl."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, log_name = tempfile.mkstemp(prefix="peppol-receiver-", suffix=".log", dir=directory)
    os.close(descriptor)
    log_path, store_path = Path(log_name), directory / "received.jsonl"
    argv = [sys.executable, "manage.py", "peppol_test_receiver", "--port", "0"]
    argv += ["--store", str(store_path)]
    process, root_url = start_listening(argv, log_path, LISTENING, timeout=START_TIMEOUT)
    return Receiver(process, root_url, store_path, log_path)


@pytest.fixture(scope="session")
def peppol_receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    """A PEPPOL test receiver for the whole run; tests tell their messages apart by key."""
    receiver = start_receiver(tmp_path_factory.mktemp("peppol-receiver"))
    try:
        yield receiver
    finally:
        receiver.stop()
