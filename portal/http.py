"""The client's address, the same for BankID's endUserIp, the audit log and rate limits."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Return the caller's IP address, or None when there is no valid one.

    Behind TRUSTED_PROXY_COUNT proxies of our own, each appends the address it saw to
    X-Forwarded-For, so the client is that many hops from the right; anything further left
    was written by the client and proves nothing. Without proxies (0), REMOTE_ADDR is the
    client. A header that is missing or too short falls back to REMOTE_ADDR.
    """
    count: int = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = request.headers.get("X-Forwarded-For", "").split(",")
        if len(hops) >= count and (forwarded := _ip_or_none(hops[-count])):
            return forwarded
    return _ip_or_none(request.META.get("REMOTE_ADDR", ""))


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
