"""A company register on loopback for tests: real HTTP, answers set per organisation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from accounts.models import Organisation


@dataclass
class LoopbackRegister:
    """A company register on loopback: 10-digit number -> (status, JSON body)."""

    base_url: str = ""
    answers: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def company(self, organisation: Organisation, status: str) -> None:
        body = {
            "org_number": organisation.org_number,
            "legal_name": organisation.legal_name,
            "status": status,
            "signatories": [{"name": "Anna Lindqvist", "personal_number": "198002142381"}],
        }
        digits = organisation.org_number.replace("-", "")
        self.answers[f"/companies/{digits}"] = (200, json.dumps(body).encode())

    def down(self, organisation: Organisation) -> None:
        digits = organisation.org_number.replace("-", "")
        self.answers[f"/companies/{digits}"] = (503, b"{}")
