"""A PEPPOL access point for tests and the demo: it stores what it receives, once per key.

Standalone (no ORM); `manage.py peppol_test_receiver` serves it.
  POST /peppol/v1/messages   UBL body; Idempotency-Key, X-Peppol-Receiver, X-Peppol-Document
                             202 {"status": "accepted", "id": key} the first time,
                             409 {"status": "duplicate", "id": key} for a key it already has
  POST /control              {"fail_next": N, "status": 500} or {"reset": true}
  GET  /messages             what was stored, with how often each key was posted
  GET  /messages/<key>       the stored XML
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, TypeGuard
from urllib.parse import unquote

from invoices.xmlsafe import MAX_BYTES, UnsafeXML, parse_untrusted

MESSAGES_PATH = "/peppol/v1/messages"
DOCUMENTS = frozenset({"invoice", "credit_note"})
# "<ICD scheme>:<identifier>", e.g. 0007:5566778899 (Swedish organisation number).
PARTICIPANT_ID = re.compile(r"^\d{4}:\S+$")
SOCKET_TIMEOUT = 30.0

Answer = tuple[int, dict[str, Any]]


@dataclass
class StoredMessage:
    """One accepted message and how many times its key was posted."""

    key: str
    receiver: str
    document: str
    xml: bytes
    received_at: str
    count: int = 1

    def summary(self) -> dict[str, Any]:
        """Describe the message for GET /messages."""
        return {
            "key": self.key,
            "receiver": self.receiver,
            "document": self.document,
            "size": len(self.xml),
            "received_at": self.received_at,
            "count": self.count,
        }

    def record(self) -> dict[str, Any]:
        """Return the store-file line of the accepted message."""
        record = self.summary() | {"event": "accepted", "xml": base64.b64encode(self.xml).decode()}
        del record["count"]  # each repeat is a "duplicate" line of its own
        return record


class ReceiverState:
    """Messages, injected failures and the store file, shared by the server's threads."""

    def __init__(self, store: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, StoredMessage] = {}
        self._failures_left = 0
        self._failure_status = 500
        self._file: IO[bytes] | None = None
        if store is not None:
            self._load(store)
            self._file = store.open("ab")

    def take_failure(self) -> int | None:
        """Use up one injected failure and return its status, or None when none is left."""
        with self._lock:
            if not self._failures_left:
                return None
            self._failures_left -= 1
            return self._failure_status

    def receive(self, *, key: str, receiver: str, document: str, xml: bytes) -> Answer:
        """Store a message the first time its key arrives; answer 409 for a repeated key."""
        now = _now()
        with self._lock:
            existing = self._messages.get(key)
            if existing is not None:
                existing.count += 1
                self._append({"event": "duplicate", "key": key, "received_at": now})
                return HTTPStatus.CONFLICT, {"status": "duplicate", "id": key}
            message = StoredMessage(key, receiver, document, xml, now)
            # On disk before the 202: an acknowledged message survives a crash.
            self._append(message.record())
            self._messages[key] = message
            return HTTPStatus.ACCEPTED, {"status": "accepted", "id": key}

    def fail_next(self, count: int, status: int) -> None:
        """Answer the next `count` posts with `status`, storing nothing."""
        with self._lock:
            self._failures_left, self._failure_status = count, status

    def reset(self) -> None:
        """Forget injected failures and every stored message (the store file too)."""
        with self._lock:
            self._failures_left, self._failure_status = 0, 500
            self._messages.clear()
            if self._file is not None:
                self._file.truncate(0)
                self._sync()

    def summaries(self) -> list[dict[str, Any]]:
        """Describe the stored messages, oldest first."""
        with self._lock:
            return [message.summary() for message in self._messages.values()]

    def xml(self, key: str) -> bytes | None:
        """Return the stored XML of a key, or None."""
        with self._lock:
            message = self._messages.get(key)
            return None if message is None else message.xml

    def close(self) -> None:
        """Close the store file."""
        if self._file is not None:
            self._file.close()

    def _append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record).encode() + b"\n")
        self._sync()

    def _sync(self) -> None:
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())

    def _load(self, store: Path) -> None:
        """Reload the store file so that dedupe survives a restart."""
        if not store.exists():
            return
        data = store.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]
        if len(complete) != len(data):
            # A line torn by a crash was never acknowledged; appending after it would
            # glue the next record onto it.
            with store.open("r+b") as file:
                file.truncate(len(complete))
        for line in complete.splitlines():
            self._replay(json.loads(line))

    def _replay(self, record: dict[str, Any]) -> None:
        key = record["key"]
        if record["event"] == "duplicate":
            self._messages[key].count += 1
            return
        xml = base64.b64decode(record["xml"])
        document, receiver = record["document"], record["receiver"]
        self._messages[key] = StoredMessage(key, receiver, document, xml, record["received_at"])


class ReceiverServer(ThreadingHTTPServer):
    """A threading HTTP server that holds the receiver's state."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: ReceiverState) -> None:
        self.state = state
        super().__init__(address, ReceiverHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"

    def server_close(self) -> None:
        super().server_close()
        self.state.close()


class ReceiverHandler(BaseHTTPRequestHandler):
    """Route the receiver's few endpoints."""

    timeout = SOCKET_TIMEOUT
    server: ReceiverServer

    def do_POST(self) -> None:
        if self.path == MESSAGES_PATH:
            self._answer(*self._receive())
        elif self.path == "/control":
            self._answer(*self._control())
        else:
            self._answer(HTTPStatus.NOT_FOUND, {"error": f"No such endpoint: {self.path}"})

    def do_GET(self) -> None:
        if self.path == "/messages":
            self._answer(HTTPStatus.OK, {"messages": self.server.state.summaries()})
        elif self.path.startswith("/messages/"):
            self._send_xml(unquote(self.path.removeprefix("/messages/")))
        else:
            self._answer(HTTPStatus.NOT_FOUND, {"error": f"No such endpoint: {self.path}"})

    def _receive(self) -> Answer:
        injected = self.server.state.take_failure()
        if injected is not None:
            self._read_body()  # drain it, or the client may see a reset connection
            return injected, {"status": "failed", "error": "Injected failure (POST /control)."}
        body = self._read_body()
        problem = _message_problem(self.headers, body)
        if problem:
            return HTTPStatus.BAD_REQUEST, {"status": "rejected", "error": problem}
        return self.server.state.receive(
            key=self.headers["Idempotency-Key"].strip(),
            receiver=self.headers["X-Peppol-Receiver"].strip(),
            document=self.headers.get("X-Peppol-Document", "invoice").strip(),
            xml=body or b"",
        )

    def _control(self) -> Answer:
        try:
            command = json.loads(self._read_body() or b"null")
        except ValueError:
            command = None
        if not isinstance(command, dict):
            return HTTPStatus.BAD_REQUEST, {"error": "Send a JSON object."}
        if command.get("reset") is True:
            self.server.state.reset()
            return HTTPStatus.OK, {"reset": True}
        count, status = command.get("fail_next"), command.get("status", 500)
        if not (_is_int(count) and count >= 0 and _is_int(status) and 200 <= status <= 599):
            return HTTPStatus.BAD_REQUEST, {"error": 'Send {"fail_next": N, "status": 500}.'}
        self.server.state.fail_next(count, status)
        return HTTPStatus.OK, {"fail_next": count, "status": status}

    def _send_xml(self, key: str) -> None:
        xml = self.server.state.xml(key)
        if xml is None:
            self._answer(HTTPStatus.NOT_FOUND, {"error": f"No message with key {key}."})
            return
        self._write(HTTPStatus.OK, "application/xml", xml)

    def _read_body(self) -> bytes | None:
        """Return the request body, or None when its length is missing or too large."""
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return None
        if not 0 <= length <= MAX_BYTES:
            return None
        return self.rfile.read(length)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self._write(status, "application/json", json.dumps(body).encode())

    def _write(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def make_server(*, host: str, port: int, store: Path | None) -> ReceiverServer:
    """Bind a receiver (port 0 picks a free one) that keeps its messages in `store`."""
    return ReceiverServer((host, port), ReceiverState(store))


def _message_problem(headers: Message, body: bytes | None) -> str:
    """Return why a posted message is refused, or "" when it is acceptable."""
    if not headers.get("Idempotency-Key", "").strip():
        return "The Idempotency-Key header is missing."
    if not PARTICIPANT_ID.match(headers.get("X-Peppol-Receiver", "").strip()):
        return "X-Peppol-Receiver must be a participant id such as 0007:5566778899."
    if headers.get("X-Peppol-Document", "invoice").strip() not in DOCUMENTS:
        return "X-Peppol-Document must be invoice or credit_note."
    if body is None:
        return f"The body needs a Content-Length of at most {MAX_BYTES} bytes."
    try:
        parse_untrusted(body)
    except UnsafeXML as error:
        return f"The body is not a UBL document: {error.message_en}"
    return ""


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
