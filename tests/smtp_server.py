"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for e-mail tests.

The `smtp_server` fixture starts one per test and points Django's SMTP backend at it.
`refuse(address)` answers 550 (or another code) to that recipient; `defer_next(n)` answers
451 to the next n messages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class CollectingHandler:
    """An aiosmtpd handler that parses and keeps every accepted message."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)  # (from, to)
    refused: dict[str, int] = field(default_factory=dict)  # address -> reply code
    deferrals_left: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        code = self.refused.get(address.lower())
        if code is not None:
            detail = "5.1.1 User unknown" if code >= 500 else "4.7.1 Greylisted, try again later"
            return f"{code} {detail} <{address}>"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.deferrals_left:
                self.deferrals_left -= 1
                return "451 4.3.0 Temporary local problem, try again later"
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class LoopbackController(Controller):
    """aiosmtpd's threaded controller, on a port the system picks (port=0)."""

    def _trigger_server(self) -> None:
        # aiosmtpd 1.4 connects to self.port to finish starting; learn the real one first.
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    """A running loopback SMTP server and its handler."""

    controller: LoopbackController
    handler: CollectingHandler

    @property
    def port(self) -> int:
        port: int = self.controller.port
        return port

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def refuse(self, address: str, code: int = 550) -> None:
        """Answer `code` (550: unknown user, 450/451: greylisting) to RCPT TO this address."""
        self.handler.refused[address.lower()] = code

    def defer_next(self, count: int) -> None:
        """Answer 451 to the next `count` messages' DATA."""
        self.handler.deferrals_left = count


def start_smtp_server() -> SmtpServer:
    """Start a collecting SMTP server on a free loopback port."""
    handler = CollectingHandler()
    controller = LoopbackController(handler, hostname=HOST, port=0)
    controller.start()
    return SmtpServer(controller, handler)


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server for this test, with Django's SMTP backend pointed at it."""
    server = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        server.controller.stop()
