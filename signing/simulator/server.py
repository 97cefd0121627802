"""The simulator's HTTP(S) server: plumbing only; routes live in rp_api and control."""

from __future__ import annotations

import logging
import socket
import ssl
import sys
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509

from signing.pki import TestPKI
from signing.simulator.bank import SimulatedBank, rp_identity
from signing.simulator.control import Control, handle_control
from signing.simulator.errors import RpError
from signing.simulator.orders import Clock, Lifetimes, OrderStore
from signing.simulator.rp_api import Faults, handle_rp
from signing.simulator.wire import Request, Response, json_response

logger = logging.getLogger(__name__)

# Generous for /sign (200 000 characters of userNonVisibleData plus the rest).
MAX_BODY = 1_000_000
SOCKET_TIMEOUT = 30.0


@dataclass(frozen=True)
class Options:
    """How the simulator behaves; the command line maps onto this."""

    lifetimes: Lifetimes = field(default_factory=Lifetimes)
    is_clock_controllable: bool = False
    is_content_type_strict: bool = True
    is_quiet: bool = False


class SimulatorServer(ThreadingHTTPServer):
    """A threading HTTP server that may speak TLS and knows the simulator's state."""

    daemon_threads = True
    # Port 0 in tests: never share a port with a stale simulator.
    allow_reuse_address = False

    def __init__(
        self,
        address: tuple[str, int],
        *,
        control: Control,
        options: Options,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.control = control
        self.options = options
        self.ssl_context = ssl_context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SimulatorHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{_url_host(str(host))}:{port}/"

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = self.socket.accept()
        if self.ssl_context is not None:
            # The handshake happens in the handler's thread, so a slow or broken
            # client cannot stall the accept loop.
            connection = self.ssl_context.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ssl.SSLError | ConnectionError | TimeoutError):
            logger.info("connection from %s dropped: %s", client_address, error)
            return
        super().handle_error(request, client_address)


class SimulatorHandler(BaseHTTPRequestHandler):
    """Read the request, hand it to a route, write the answer."""

    server: SimulatorServer
    protocol_version = "HTTP/1.1"  # keep-alive, as BankID's clients expect
    server_version = "BankIDSimulator/1.0"

    def setup(self) -> None:
        self.request.settimeout(SOCKET_TIMEOUT)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        try:
            request = self._read()
        except RpError as error:
            self.close_connection = True  # the rest of the stream cannot be trusted
            self._write(json_response(error.body(), error.status))
            return
        self._write(self._route(request))

    def _route(self, request: Request) -> Response:
        options = self.server.options
        if request.path.startswith("/rp/"):
            control = self.server.control
            return handle_rp(
                request,
                store=control.store,
                faults=control.faults,
                strict=options.is_content_type_strict,
            )
        if request.path == "/sim" or request.path.startswith("/sim/"):
            return handle_control(request, self.server.control)
        return json_response({"errorCode": "notFound", "details": "No such endpoint"}, 404)

    def _read(self) -> Request:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise RpError("invalidParameters", "Chunked bodies are not supported")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise RpError("invalidParameters", "Bad Content-Length") from None
        if not 0 <= length <= MAX_BODY:
            raise RpError("invalidParameters", "The body is too large")
        body = self.rfile.read(length) if length else b""
        return Request(
            method=self.command,
            path=urlsplit(self.path).path,
            content_type=self.headers.get("Content-Type"),
            body=body,
            rp=rp_identity(self._client_certificate),
        )

    @cached_property
    def _client_certificate(self) -> x509.Certificate | None:
        if not isinstance(self.request, ssl.SSLSocket):
            return None
        der = self.request.getpeercert(binary_form=True)
        return x509.load_der_x509_certificate(der) if der else None

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.options.is_quiet:
            super().log_message(format, *args)


def server_ssl_context(pki: TestPKI, *, require_client_cert: bool) -> ssl.SSLContext:
    """Serve TLS with the PKI's server certificate; ask for (or require) an RP certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # as BankID
    context.load_cert_chain(pki.server_cert_pem, pki.server_key_pem)
    # The RP certificate is issued by the TLS hierarchy's CA, as BankID's RP CA issues them.
    context.load_verify_locations(cafile=pki.server_ca_pem)
    context.verify_mode = ssl.CERT_REQUIRED if require_client_cert else ssl.CERT_OPTIONAL
    return context


def make_server(
    pki: TestPKI,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    options: Options | None = None,
    use_https: bool = False,
    require_client_cert: bool = False,
) -> SimulatorServer:
    """Build a ready-to-serve simulator bound to host:port (0 picks a free port)."""
    options = options or Options()
    store = OrderStore(Clock(), options.lifetimes)
    control = Control(store, Faults(), SimulatedBank(pki), options.is_clock_controllable)
    context = None
    if use_https:
        context = server_ssl_context(pki, require_client_cert=require_client_cert)
    return SimulatorServer((host, port), control=control, options=options, ssl_context=context)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
