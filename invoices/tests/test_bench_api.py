"""The api benchmark's own parts: its clients count what fails, its percentiles are right."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from invoices.bench_api import Timings, _block


class _EveryThirdFails(BaseHTTPRequestHandler):
    served = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            type(self).served += 1
            status = 500 if type(self).served % 3 == 0 else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def server_url() -> Iterator[str]:
    _EveryThirdFails.served = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EveryThirdFails)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_block_spreads_the_calls_over_the_clients_and_counts_the_failures(
    server_url: str,
) -> None:
    clients = [httpx.Client(base_url=server_url) for _ in range(4)]
    used: set[int] = set()

    def call(client: httpx.Client) -> httpx.Response:
        used.add(id(client))
        return client.get("/")

    timings = _block(clients, call, 200, 30)

    assert (len(timings.latencies), timings.errors) == (30, 10)
    assert timings.first_error.startswith("GET /: 500")
    assert used == {id(client) for client in clients}
    for client in clients:
        client.close()


def test_a_refused_connection_is_an_error_without_a_latency() -> None:
    with httpx.Client(base_url="http://127.0.0.1:9") as client:  # discard port: nothing listens
        timings = _block([client], lambda c: c.get("/"), 200, 2)

    assert (timings.latencies, timings.errors) == ([], 2)
    assert "ConnectError" in timings.first_error


def test_percentiles_and_rate() -> None:
    timings = Timings(latencies=[n / 1000 for n in range(1, 101)], wall=4.0)

    assert timings.percentile_ms(50) == pytest.approx(50.5)
    assert timings.percentile_ms(99) == pytest.approx(99.01)
    assert timings.per_second == 25.0
