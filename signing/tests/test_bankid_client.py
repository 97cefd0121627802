"""The RP API client against a loopback HTTP(S) stand-in for BankID's server.

The stand-in sits at the network boundary: it plays canned answers and records what arrived,
so these tests see the exact bytes and headers the client sends. The simulator has its own
end-to-end tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import pickle
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured

from signing import bankid
from signing.bankid import BankIDClient

ORDER_REF = "131daac9-16c6-4618-beb0-365768f37288"
ORDER = {
    "orderRef": ORDER_REF,
    "autoStartToken": "7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6",
    "qrStartToken": "67df3917-fa0d-44e5-b327-edcc928297f8",
    "qrStartSecret": "d28db9a7-4cde-429e-a983-359be676944c",
}
COMPLETION = {
    "user": {
        "personalNumber": "190000000000",
        "name": "Karl Karlsson",
        "givenName": "Karl",
        "surname": "Karlsson",
    },
    "device": {"ipAddress": "192.0.2.7", "uhi": "OZvYM9VvyiAmG7NA5jU5zqGcVpo="},
    "bankIdIssueDate": "2020-02-01",
    "stepUp": {"mrtd": False},
    "signature": "PHNpZ25hdHVyZT4=",
    "ocspResponse": "MIIHfgoBAKCCB3cw",
}


# --- The loopback stand-in -------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    headers: Message
    body: bytes
    peer_cn: str | None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StubBankID:
    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, payload: Any, status: int = 200) -> None:
        self.replies.append(Reply(status, json.dumps(payload).encode()))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, stub: StubBankID, tls: ssl.SSLContext | None) -> None:
        self.stub = stub
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Refused handshakes and clients that timed out are expected here, not stderr noise.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # Handshake in the connection's own thread, so a refused client can't stall the server.
        if self.server.tls is not None:
            self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        super().setup()

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        stub = self.server.stub
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        stub.received.append(Received(self.command, self.path, self.headers, body, self._peer()))
        reply = stub.replies.pop(0) if stub.replies else Reply(599, b"no canned reply")
        if reply.delay:
            stub.release.wait(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _peer(self) -> str | None:
        der = self.request.getpeercert(True) if isinstance(self.request, ssl.SSLSocket) else None
        if not der:
            return None
        names = x509.load_der_x509_certificate(der).subject
        return str(names.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(tls: ssl.SSLContext | None = None) -> tuple[StubBankID, _Server]:
    stub = StubBankID()
    server = _Server(stub, tls)
    scheme = "https" if tls else "http"
    stub.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/rp/v6.0/"
    # A short poll interval keeps shutdown() (once per test) from costing half a second.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return stub, server


@pytest.fixture
def stub():
    stub, server = _serve()
    yield stub
    stub.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(stub):
    with BankIDClient(stub.url, timeout=5) as client:
        yield client


# --- Ordering --------------------------------------------------------------------------------


def test_sign_sends_base64_texts_and_end_user_ip(stub, client):
    stub.answer(ORDER)
    client.sign(
        end_user_ip="192.0.2.7",
        user_visible_data="Jag intygar att uppgifterna för Åsa AB stämmer.",
        user_non_visible_data=b"\x00digest\xff",
        user_visible_data_format="simpleMarkdownV1",
        requirement={"pinCode": True},
        return_url="https://portal.example/signing/return?nonce=n1",
    )
    request = stub.received[0]
    assert (request.method, request.path) == ("POST", "/rp/v6.0/sign")
    assert request.json() == {
        "endUserIp": "192.0.2.7",
        "userVisibleData": base64.b64encode(
            "Jag intygar att uppgifterna för Åsa AB stämmer.".encode()
        ).decode(),
        "userNonVisibleData": base64.b64encode(b"\x00digest\xff").decode(),
        "userVisibleDataFormat": "simpleMarkdownV1",
        "requirement": {"pinCode": True},
        "returnUrl": "https://portal.example/signing/return?nonce=n1",
    }


def test_sign_returns_the_order_and_its_tokens(stub, client):
    stub.answer(ORDER)
    start = client.sign(end_user_ip="2001:db8::1", user_visible_data="Hej")
    assert start == bankid.OrderStart(
        order_ref=ORDER["orderRef"],
        auto_start_token=ORDER["autoStartToken"],
        qr_start_token=ORDER["qrStartToken"],
        qr_start_secret=ORDER["qrStartSecret"],
    )
    assert stub.received[0].json() == {
        "endUserIp": "2001:db8::1",
        "userVisibleData": base64.b64encode(b"Hej").decode(),
    }


def test_auth_sends_only_the_fields_given(stub, client):
    stub.answer(ORDER)
    stub.answer(ORDER)
    client.auth(end_user_ip="192.0.2.7")
    client.auth(end_user_ip="192.0.2.7", user_visible_data="Logga in", user_non_visible_data=b"x")
    assert stub.received[0].path == "/rp/v6.0/auth"
    assert stub.received[0].json() == {"endUserIp": "192.0.2.7"}
    assert stub.received[1].json() == {
        "endUserIp": "192.0.2.7",
        "userVisibleData": base64.b64encode(b"Logga in").decode(),
        "userNonVisibleData": base64.b64encode(b"x").decode(),
    }


def test_content_type_is_exactly_application_json(stub, client):
    # BankID answers 415 to "application/json; charset=utf-8".
    stub.answer(ORDER)
    stub.answer({"orderRef": ORDER_REF, "status": "pending", "hintCode": "noClient"})
    stub.answer({})
    client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej")
    client.collect(ORDER_REF)
    client.cancel(ORDER_REF)
    for request in stub.received:
        assert request.headers.get_all("Content-Type") == ["application/json"]


def test_sign_accepts_visible_text_at_the_limit(stub, client):
    stub.answer(ORDER)
    client.sign(end_user_ip="192.0.2.7", user_visible_data="a" * 30_000)  # 40 000 in base64
    assert len(stub.received[0].json()["userVisibleData"]) == 40_000


@pytest.mark.parametrize(
    "arguments",
    [
        {"user_visible_data": ""},
        {"user_visible_data": "a" * 30_001},
        {"user_visible_data": "Hej", "user_non_visible_data": b""},
        {"user_visible_data": "Hej", "user_non_visible_data": b"a" * 150_001},
        {"user_visible_data": "Hej", "end_user_ip": "localhost"},
        {"user_visible_data": "Hej", "end_user_ip": ""},
        {"user_visible_data": "Hej", "return_url": "https://x/" + "a" * 503},
    ],
)
def test_sign_refuses_bad_input_before_any_request(stub, client, arguments):
    arguments = {"end_user_ip": "192.0.2.7", **arguments}
    with pytest.raises(bankid.InvalidParameters) as caught:
        client.sign(**arguments)
    assert caught.value.http_status == 0
    assert stub.received == []


@pytest.mark.parametrize(
    "arguments",
    [{"user_visible_data": "a" * 1_126}, {"user_non_visible_data": b"a" * 1_126}],
)
def test_auth_limits_texts_to_1500_base64_characters(stub, client, arguments):
    with pytest.raises(bankid.InvalidParameters):
        client.auth(end_user_ip="192.0.2.7", **arguments)
    stub.answer(ORDER)
    shorter = {key: value[:1_125] for key, value in arguments.items()}
    client.auth(end_user_ip="192.0.2.7", **shorter)
    assert len(stub.received) == 1


def test_base_url_must_end_with_a_slash():
    with pytest.raises(ValueError, match="must end with"):
        BankIDClient("http://127.0.0.1:1/rp/v6.0")


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "error_class", "rfa"),
    [
        (400, "alreadyInProgress", bankid.AlreadyInProgress, "RFA4"),
        (400, "invalidParameters", bankid.InvalidParameters, "RFA22"),
        (401, "unauthorized", bankid.Unauthorized, "RFA22"),
        (403, "unauthorized", bankid.Unauthorized, "RFA22"),
        (404, "notFound", bankid.NotFound, "RFA22"),
        (405, "methodNotAllowed", bankid.MethodNotAllowed, "RFA22"),
        (408, "requestTimeout", bankid.RequestTimeout, "RFA5"),
        (415, "unsupportedMediaType", bankid.UnsupportedMediaType, "RFA22"),
        (500, "internalError", bankid.InternalError, "RFA5"),
        (503, "maintenance", bankid.Maintenance, "RFA5"),
        (400, "brandNewCode", bankid.UnknownBankIDError, "RFA22"),
        (429, "tooManyRequests", bankid.UnknownBankIDError, "RFA22"),
    ],
)
def test_error_codes_map_to_their_exception_and_rfa(stub, client, status, code, error_class, rfa):
    stub.answer({"errorCode": code, "details": "Invalid request"}, status=status)
    with pytest.raises(error_class) as caught:
        client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej")
    error = caught.value
    assert type(error) is error_class
    assert (error.error_code, error.details, error.http_status, error.rfa) == (
        code,
        "Invalid request",
        status,
        rfa,
    )


def test_non_json_error_is_unknown_with_rfa22(stub, client):
    stub.replies.append(Reply(500, b"<html>Bad gateway</html>", "text/html"))
    with pytest.raises(bankid.UnknownBankIDError) as caught:
        client.collect(ORDER_REF)
    assert (caught.value.http_status, caught.value.rfa) == (500, "RFA22")
    assert "Bad gateway" in caught.value.details


def test_unreadable_success_is_unknown(stub, client):
    stub.replies.append(Reply(200, b"not json"))
    stub.answer({"orderRef": ORDER_REF})  # auth answer missing its tokens
    with pytest.raises(bankid.UnknownBankIDError) as caught:
        client.cancel(ORDER_REF)
    assert caught.value.error_code == "invalidResponse"
    with pytest.raises(bankid.UnknownBankIDError, match="autoStartToken"):
        client.auth(end_user_ip="192.0.2.7")


def test_connection_refused_is_a_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = BankIDClient(f"http://127.0.0.1:{port}/rp/v6.0/")
    with client, pytest.raises(bankid.TransportError) as caught:
        client.collect(ORDER_REF)
    assert (caught.value.error_code, caught.value.rfa) == ("transport", "RFA5")


def test_our_own_timeout_is_a_transport_error(stub):
    stub.replies.append(Reply(200, json.dumps(ORDER).encode(), delay=5))
    client = BankIDClient(stub.url, timeout=0.2)
    with client, pytest.raises(bankid.TransportError, match="Timeout"):
        client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej")


def test_errors_survive_pickling():
    error = bankid.AlreadyInProgress("Order already in progress for pno", http_status=400)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is bankid.AlreadyInProgress
    assert (copy.error_code, copy.details, copy.rfa) == (
        "alreadyInProgress",
        "Order already in progress for pno",
        "RFA4",
    )


# --- Collect and cancel ----------------------------------------------------------------------


def test_collect_pending(stub, client):
    stub.answer({"orderRef": ORDER_REF, "status": "pending", "hintCode": "outstandingTransaction"})
    result = client.collect(ORDER_REF)
    assert stub.received[0].path == "/rp/v6.0/collect"
    assert stub.received[0].json() == {"orderRef": ORDER_REF}
    assert result == bankid.CollectResult(ORDER_REF, "pending", "outstandingTransaction", None)


def test_collect_passes_unknown_hint_codes_through(stub, client):
    stub.answer({"orderRef": ORDER_REF, "status": "pending", "hintCode": "userFace"})
    assert client.collect(ORDER_REF).hint_code == "userFace"


def test_collect_failed(stub, client):
    stub.answer({"orderRef": ORDER_REF, "status": "failed", "hintCode": "startFailed"})
    result = client.collect(ORDER_REF)
    assert (result.status, result.hint_code, result.completion) == ("failed", "startFailed", None)


def test_collect_complete_parses_completion_data(stub, client):
    stub.answer({"orderRef": ORDER_REF, "status": "complete", "completionData": COMPLETION})
    result = client.collect(ORDER_REF)
    assert (result.status, result.hint_code) == ("complete", None)
    assert result.completion == bankid.CompletionData(
        personal_number="190000000000",
        name="Karl Karlsson",
        given_name="Karl",
        surname="Karlsson",
        ip_address="192.0.2.7",
        uhi="OZvYM9VvyiAmG7NA5jU5zqGcVpo=",
        bankid_issue_date="2020-02-01",
        signature="PHNpZ25hdHVyZT4=",
        ocsp_response="MIIHfgoBAKCCB3cw",
        raw=COMPLETION,
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"orderRef": ORDER_REF, "status": "complete"},
        {"orderRef": ORDER_REF, "status": "complete", "completionData": {"user": {}}},
        {"orderRef": ORDER_REF, "status": "finished"},
    ],
)
def test_collect_refuses_answers_it_cannot_use(stub, client, answer):
    stub.answer(answer)
    with pytest.raises(bankid.UnknownBankIDError) as caught:
        client.collect(ORDER_REF)
    assert (caught.value.error_code, caught.value.rfa) == ("invalidResponse", "RFA22")


def test_collect_of_a_finished_order_is_invalid_parameters(stub, client):
    stub.answer({"errorCode": "invalidParameters", "details": "No such order"}, status=400)
    with pytest.raises(bankid.InvalidParameters):
        client.collect(ORDER_REF)


def test_cancel(stub, client):
    stub.answer({})
    assert client.cancel(ORDER_REF) is None
    assert (stub.received[0].path, stub.received[0].json()) == (
        "/rp/v6.0/cancel",
        {"orderRef": ORDER_REF},
    )


def test_empty_order_ref_is_refused_locally(stub, client):
    with pytest.raises(bankid.InvalidParameters):
        client.cancel("")
    assert stub.received == []


# --- Settings --------------------------------------------------------------------------------


def test_bankid_client_from_settings(stub, settings):
    settings.BANKID_URL = stub.url.rstrip("/")  # a missing slash in the environment is forgiven
    settings.BANKID_CLIENT_CERT = ""
    settings.BANKID_SERVER_CA = ""
    stub.answer({})
    with bankid.bankid_client() as client:
        client.cancel(ORDER_REF)
    assert stub.received[0].path == "/rp/v6.0/cancel"


def test_bankid_client_needs_a_url(settings):
    settings.BANKID_URL = ""
    with pytest.raises(ImproperlyConfigured):
        bankid.bankid_client()


# --- Mutual TLS ------------------------------------------------------------------------------


@dataclass
class Pki:
    ca: Path
    other_ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    usage: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=usage is None, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    if usage is None:
        key_usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(key_usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(directory: Path, name: str, cert: x509.Certificate, key: Any = None) -> Path:
    path = directory / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        (directory / f"{name}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    keys = {name: ec.generate_private_key(ec.SECP256R1()) for name in ("ca", "other", "s", "c")}
    ca = _issue("Throwaway BankID SSL Root", keys["ca"])
    other = _issue("Some Other Root", keys["other"])
    server = _issue("127.0.0.1", keys["s"], (ca, keys["ca"]), ExtendedKeyUsageOID.SERVER_AUTH)
    client = _issue("FP Testcert", keys["c"], (ca, keys["ca"]), ExtendedKeyUsageOID.CLIENT_AUTH)
    return Pki(
        ca=_write(directory, "ca", ca),
        other_ca=_write(directory, "other", other),
        server_cert=_write(directory, "server", server, keys["s"]),
        server_key=directory / "server.key",
        client_cert=_write(directory, "client", client, keys["c"]),
        client_key=directory / "client.key",
    )


@pytest.fixture
def tls_stub(pki):
    # Like BankID: the server insists on a client certificate issued under its CA.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    stub, server = _serve(context)
    yield stub
    stub.release.set()
    server.shutdown()
    server.server_close()


def test_mutual_tls_with_pinned_ca(tls_stub, pki):
    tls_stub.answer(ORDER)
    cert = (str(pki.client_cert), str(pki.client_key))
    with BankIDClient(tls_stub.url, client_cert=cert, server_ca=str(pki.ca)) as client:
        assert client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej").order_ref == ORDER_REF
    assert tls_stub.received[0].peer_cn == "FP Testcert"


def test_mutual_tls_from_settings(tls_stub, pki, settings):
    settings.BANKID_URL = tls_stub.url
    settings.BANKID_CLIENT_CERT = str(pki.client_cert)
    settings.BANKID_CLIENT_KEY = str(pki.client_key)
    settings.BANKID_SERVER_CA = str(pki.ca)
    tls_stub.answer({})
    with bankid.bankid_client() as client:
        client.cancel(ORDER_REF)
    assert tls_stub.received[0].peer_cn == "FP Testcert"


def test_server_refuses_a_client_without_certificate(tls_stub, pki):
    tls_stub.answer(ORDER)
    client = BankIDClient(tls_stub.url, server_ca=str(pki.ca))
    with client, pytest.raises(bankid.TransportError) as caught:
        client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej")
    assert caught.value.rfa == "RFA5"
    assert tls_stub.received == []


def test_pinning_refuses_a_server_from_another_ca(tls_stub, pki):
    tls_stub.answer(ORDER)
    cert = (str(pki.client_cert), str(pki.client_key))
    client = BankIDClient(tls_stub.url, client_cert=cert, server_ca=str(pki.other_ca))
    with client, pytest.raises(bankid.TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        client.sign(end_user_ip="192.0.2.7", user_visible_data="Hej")
    assert tls_stub.received == []


def test_without_a_pinned_ca_only_the_public_bundle_is_trusted(tls_stub, pki):
    # No server_ca: the public bundle applies, and a private CA (like BankID's) is not in it.
    cert = (str(pki.client_cert), str(pki.client_key))
    client = BankIDClient(tls_stub.url, client_cert=cert)
    with client, pytest.raises(bankid.TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        client.collect(ORDER_REF)
