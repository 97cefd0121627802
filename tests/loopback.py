"""A JSON server on loopback for the tests of HTTP clients: real sockets, answers from a function.

with json_server(lambda path: (200, b'{"ok": true}')) as root_url:
    httpx.get(root_url + "/anything")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
