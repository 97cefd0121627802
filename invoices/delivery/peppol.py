"""The PEPPOL channel: POST the UBL to the access point, keyed by the delivery's UUID."""

from __future__ import annotations

import os
from typing import Any

import httpx
from django.conf import settings

from invoices.delivery.base import Parcel, PermanentFailure, TransientFailure
from portal.tls import tls_context

# Statuses that say "not now" rather than "never": request timeout, too early, too many requests.
TRANSIENT_STATUSES = frozenset({408, 425, 429})
MAX_REASON_CHARS = 300


def send_peppol(
    parcel: Parcel,
    *,
    endpoint_url: str,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> str:
    """POST the parcel's UBL to the access point and return its receipt."""
    if not endpoint_url:
        raise PermanentFailure("peppol.unconfigured")
    try:
        if client is not None:
            response = _post(client, parcel, endpoint_url, timeout)
        else:
            with httpx.Client(timeout=timeout, verify=tls_context()) as own_client:
                response = _post(own_client, parcel, endpoint_url, timeout)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
        # A configuration mistake, although httpx counts a bad scheme as a transport error.
        raise PermanentFailure("peppol.bad_url", error=str(error)) from error
    except httpx.TransportError as error:
        raise TransientFailure("peppol.unreachable", error=_describe(error)) from error
    return _receipt(response, parcel)


def send_peppol_from_settings(parcel: Parcel) -> str:
    """Send the parcel to the access point configured in settings."""
    timeout = float(settings.PEPPOL_ACCESS_POINT_TIMEOUT)
    return send_peppol(
        parcel,
        endpoint_url=settings.PEPPOL_ACCESS_POINT_URL,
        timeout=timeout,
        client=_access_point_client(timeout),
    )


_clients: dict[tuple[int, float], httpx.Client] = {}


def _access_point_client(timeout: float) -> httpx.Client:
    """One client per worker process for the one access point, made on first use.

    A new client per delivery would open a new connection each time, and build itself
    again (portal/tls.py). Keyed by the process id: a client and its open connections must
    not cross a fork (a prefork pool's children make their own).
    """
    key = (os.getpid(), timeout)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = httpx.Client(timeout=timeout, verify=tls_context())
    return client


def _post(client: httpx.Client, parcel: Parcel, url: str, timeout: float) -> httpx.Response:
    headers = {
        "Content-Type": "application/xml",
        "Idempotency-Key": str(parcel.delivery_id),
        "X-Peppol-Receiver": parcel.recipient,
        "X-Peppol-Document": parcel.kind,
    }
    return client.post(url, content=parcel.ubl, headers=headers, timeout=timeout)


def _receipt(response: httpx.Response, parcel: Parcel) -> str:
    """Return the receipt of an accepted post, or raise the failure its status means."""
    status = response.status_code
    if response.is_success:
        return _message_id(response) or f"HTTP {status} {response.reason_phrase}"
    body = _json(response)
    if status == 409 and body.get("status") == "duplicate":
        # The access point already has this delivery: an earlier attempt got through.
        return str(body.get("id") or parcel.delivery_id)
    text = _error_text(response, body)
    detail = f"(HTTP {status}): {text}" if text else f"(HTTP {status})"
    if status == 409 or status in TRANSIENT_STATUSES or status >= 500:
        # A 409 that is not "duplicate" may be the same key still in flight: ask again later.
        raise TransientFailure("peppol.unavailable", detail=detail)
    raise PermanentFailure("peppol.refused", detail=detail)


def _message_id(response: httpx.Response) -> str:
    body = _json(response)
    for name in ("id", "messageId", "message_id"):
        if body.get(name):
            return str(body[name])
    return ""


def _json(response: httpx.Response) -> dict[str, Any]:
    """Return the answer's JSON object, or {} when it has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_text(response: httpx.Response, body: dict[str, Any]) -> str:
    for name in ("error", "detail", "message"):
        if body.get(name):
            return str(body[name])[:MAX_REASON_CHARS]
    return response.text.strip()[:MAX_REASON_CHARS]


def _describe(error: httpx.TransportError) -> str:
    # Some httpx errors carry an empty message; the class name still says what happened.
    return str(error) or type(error).__name__
