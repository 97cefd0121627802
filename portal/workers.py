"""A Celery worker's command line, and how to stop a child process: shared by the tests and
the benchmark."""

from __future__ import annotations

import subprocess
import sys


def worker_argv(node_name: str, *, loglevel: str = "INFO", pool: str = "solo") -> list[str]:
    """Return `celery worker` for one node, quiet about other nodes (no gossip, no mingle)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "-P",
        pool,
        f"--loglevel={loglevel}",
        "-n",
        node_name,
        "--without-gossip",
        "--without-mingle",
    ]


def stop_process(process: subprocess.Popen[bytes], *, timeout: float) -> None:
    """Stop a process politely (SIGTERM: a worker's warm shutdown), then firmly (SIGKILL)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
