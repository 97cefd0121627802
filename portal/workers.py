"""The command line of a Celery worker, shared by the tests and the benchmark."""

from __future__ import annotations

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
