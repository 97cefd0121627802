"""Outgoing HTTPS: the CA bundle loaded into one TLS context per process, once."""

from __future__ import annotations

import ssl
from functools import cache

import certifi


@cache
def tls_context() -> ssl.SSLContext:
    """Return the process's verifying TLS context (the same CA bundle as httpx's default).

    An httpx client made without one loads the bundle into a new context: some 20 ms of
    CPU, more than the request it then makes. A context holds no connection, so one may
    serve every client, thread and forked child of the process.
    """
    return ssl.create_default_context(cafile=certifi.where())
