"""The client's address, the same for BankID's endUserIp, the audit log and rate limits."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote

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


def content_disposition(filename: str) -> str:
    """Return an RFC 6266 `attachment` header value for a download named `filename`.

    `filename*` carries the exact name (UTF-8, percent-encoded, so no CR, LF or quote can
    end the header); `filename` is a plain-ASCII fallback for clients that lack RFC 5987.
    """
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r'[^\x20-\x7e]|["\\%]', "_", ascii_name).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
