"""Start the helper server processes the tests talk to (simulator, receiver); stop them
with portal.workers.stop_process."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings


def start_listening(
    argv: Sequence[str], log_path: Path, listening: re.Pattern[str], *, timeout: float
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `manage.py ...` and wait for its "listening on URL" line; return process and URL."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=settings.BASE_DIR,
            env=os.environ | {"PORTAL_ENV": "test", "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    # A log file, not a pipe: nobody drains a pipe, and a full one would block the server.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = listening.search(log_path.read_text(errors="replace"))
        if match:
            return process, match[1]
        if process.poll() is not None:
            raise RuntimeError(f"{argv[2]} exited at start-up:\n{log_path.read_text()}")
        time.sleep(0.05)
    process.kill()
    process.wait()
    output = log_path.read_text(errors="replace")
    raise RuntimeError(f"{argv[2]} did not listen within {timeout}s:\n{output}")
