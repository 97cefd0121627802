#!/usr/bin/env python3
"""Fail fast, with what to start, when PostgreSQL or Redis does not answer.

Pure standard library on purpose: it runs before Django, so a missing server gets
one clear message instead of a wall of connection errors from every test.
Reads DATABASE_URL and REDIS_URL, as the settings do.
"""

from __future__ import annotations

import os
import socket
import struct
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

TIMEOUT = 3.0
POSTGRES_HINT = (
    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
    "  (or: sudo systemctl start postgresql)"
)
REDIS_HINT = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
    "  (or: sudo systemctl start redis-server)"
)
# PostgreSQL's SSLRequest: any real server answers it with one byte, 'S' or 'N'.
SSL_REQUEST = struct.pack("!ii", 8, 80877103)


class ServiceDown(Exception):
    """A service did not answer; the message says what was tried."""


def check_postgres(url: str) -> None:
    """Connect to the server named by a postgres:// URL and see it speak PostgreSQL."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    reply = _exchange(host, port, SSL_REQUEST, what="PostgreSQL")
    if reply[:1] not in {b"S", b"N"}:
        raise ServiceDown(f"something answers on {host}:{port}, but it is not PostgreSQL")


def check_redis(url: str) -> None:
    """Connect to the server named by a redis:// URL and expect +PONG to PING."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    if parts.scheme == "rediss":
        # TLS needs more than a probe; a TCP connect is enough to say "it is running".
        _exchange(host, port, b"", what="Redis")
        return
    reply = _exchange(host, port, b"PING\r\n", what="Redis")
    # -NOAUTH still proves a running Redis; a wrong password is the tests' to report.
    if not reply.startswith((b"+PONG", b"-NOAUTH")):
        raise ServiceDown(f"something answers on {host}:{port}, but it is not Redis")


def _exchange(host: str, port: int, request: bytes, *, what: str) -> bytes:
    """Send a request and return the first reply bytes; raise ServiceDown on any failure."""
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
            if not request:
                return b""
            sock.sendall(request)
            return _read_reply(sock)
    except OSError as error:
        raise ServiceDown(f"{what} does not answer on {host}:{port} ({error})") from None


def _read_reply(sock: socket.socket) -> bytes:
    """Read until a full line (or PostgreSQL's single byte) has arrived."""
    data = b""
    while not data.endswith(b"\r\n") and data not in {b"S", b"N"}:
        chunk = sock.recv(256)
        if not chunk:
            break
        data += chunk
    return data


def main() -> int:
    """Check the configured services; print what to start and return 1 when one is down."""
    failures: list[str] = []
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if urlsplit(database_url).scheme in {"postgres", "postgresql", "pgsql"}:
        failures += _run(check_postgres, database_url, "DATABASE_URL", POSTGRES_HINT)
    if urlsplit(redis_url).scheme in {"redis", "rediss"}:
        failures += _run(check_redis, redis_url, "REDIS_URL", REDIS_HINT)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


def _run(check: Callable[[str], None], url: str, variable: str, hint: str) -> list[str]:
    """Run one check and turn a failure into a message naming the variable and the fix."""
    try:
        check(url)
    except ServiceDown as error:
        return [
            f"ERROR: {error}.\n"
            f"  It is configured by {variable}={_redact(url)}.\n"
            f"  Start the server, for example:\n    {hint}\n"
            f"  or point {variable} at a running one, e.g. make test {variable}=..."
        ]
    return []


def _redact(url: str) -> str:
    """Hide a password in a URL before printing it."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


if __name__ == "__main__":
    sys.exit(main())
