"""What a route sees of an HTTP request and what it answers, free of the server's plumbing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from signing.simulator.orders import RpIdentity


@dataclass(frozen=True)
class Request:
    """One HTTP request, body already read."""

    method: str
    path: str
    content_type: str | None
    body: bytes
    rp: RpIdentity

    def json(self) -> Any:
        """Return the decoded JSON body; raise ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass(frozen=True)
class Response:
    """One HTTP response."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200, **headers: str) -> Response:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(status, text.encode("utf-8"), headers=headers)
