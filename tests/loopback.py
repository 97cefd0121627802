"""Servers on loopback for the tests of HTTP clients: real sockets, answers from a function.

with json_server(lambda path: (200, b'{"ok": true}')) as root_url:
    httpx.get(root_url + "/anything")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, JSON body) for a request path; None sends nothing, for a client that gave up waiting.
Answer = Callable[[str], "tuple[int, bytes] | None"]


@contextmanager
def json_server(
    answer: Answer, requests: list[tuple[str, dict[str, str]]] | None = None
) -> Iterator[str]:
    """Serve GET requests on 127.0.0.1 at a free port with `answer`; yield the root URL.

    `requests`, when given, collects each request's path and headers.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if requests is not None:
                requests.append((self.path, dict(self.headers.items())))
            reply = answer(self.path)
            if reply is None:
                return
            status, body = reply
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with _serving(Handler) as root_url:
        yield root_url


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes


@contextmanager
def post_server(answer: Callable[[Received], int], received: list[Received]) -> Iterator[str]:
    """Serve POST requests on 127.0.0.1 (a webhook receiver); yield the root URL.

    Each request is appended to `received`; `answer` gives its status (the body is empty).
    """

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            request = Received(self.path, dict(self.headers.items()), body)
            received.append(request)
            self.send_response(answer(request))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with _serving(Handler) as root_url:
        yield root_url


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
