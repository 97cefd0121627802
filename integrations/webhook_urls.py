"""Where a webhook may be POSTed: public https addresses in production, checked at each send.

The check resolves the host and the POST goes to the address that was checked (the host
name still travels in the Host header and in TLS's SNI, so the certificate is verified for
it): a DNS answer that changes between the check and the connection (DNS rebinding) cannot
turn the portal's worker against a service on its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx

from integrations.errors import WebhookUrlRefused

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class WebhookTarget:
    """The URL to connect to, and what the request must carry to reach the named host."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def webhook_target(url: str, *, require_https: bool, allow_private: bool) -> WebhookTarget:
    """Return where to POST `url`; raise WebhookUrlRefused if the policy forbids it."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as error:
        raise WebhookUrlRefused("invalid_url") from error
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise WebhookUrlRefused("invalid_url")
    if require_https and parsed.scheme != "https":
        raise WebhookUrlRefused("https_required")
    if allow_private:
        return WebhookTarget(url=url)
    address = _public_address(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
    pinned = parsed.copy_with(host=str(address))
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return WebhookTarget(
        url=str(pinned), headers={"Host": _host_header(parsed)}, extensions=extensions
    )


def _public_address(host: str, port: int) -> IpAddress:
    """Resolve the host; refuse it if any of its addresses is not a public one."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookUrlRefused("unresolvable") from error
    addresses = [_unmapped(ipaddress.ip_address(answer[4][0])) for answer in answers]
    # All of them: a client may connect to any address the name resolves to.
    if not addresses or not all(_is_public(address) for address in addresses):
        raise WebhookUrlRefused("private_address")
    return addresses[0]


def _unmapped(address: IpAddress) -> IpAddress:
    # ::ffff:127.0.0.1 is loopback in an IPv6 disguise.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_public(address: IpAddress) -> bool:
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _host_header(parsed: httpx.URL) -> str:
    default_port = 443 if parsed.scheme == "https" else 80
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return host if parsed.port in (None, default_port) else f"{host}:{parsed.port}"
