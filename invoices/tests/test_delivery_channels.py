"""The PEPPOL and e-mail channels against real servers: the test receiver process and aiosmtpd."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from invoices.delivery.base import Parcel, PermanentFailure, TransientFailure
from invoices.delivery.email import send_email
from invoices.delivery.peppol import send_peppol, send_peppol_from_settings
from tests.peppol_receiver import Receiver, start_receiver
from tests.smtp_server import SmtpServer

DATA = Path(__file__).parent / "data"
INVOICE_XML = (DATA / "golden-invoice.xml").read_bytes()
CREDIT_NOTE_XML = (DATA / "golden-credit-note.xml").read_bytes()
# Every byte value: an attachment that survives the trip is byte-exact, not just ASCII-clean.
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def make_parcel(**changes: object) -> Parcel:
    parcel = Parcel(
        delivery_id=uuid.uuid4(),
        invoice_number="F-1001",
        kind="invoice",
        seller_name="Alice Konsult AB",
        recipient="0007:2021005075",
        ubl=INVOICE_XML,
    )
    return replace(parcel, **changes)  # type: ignore[arg-type]


@pytest.fixture
def receiver(peppol_receiver: Receiver) -> Iterator[Receiver]:
    """The session's receiver, without failures injected by an earlier test."""
    peppol_receiver.reset()
    yield peppol_receiver
    peppol_receiver.reset()


@pytest.fixture
def closed_port() -> int:
    """Return a loopback port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- PEPPOL ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ubl"), [("invoice", INVOICE_XML), ("credit_note", CREDIT_NOTE_XML)]
)
def test_peppol_delivers_with_headers(receiver: Receiver, kind: str, ubl: bytes) -> None:
    parcel = make_parcel(kind=kind, ubl=ubl)

    receipt = send_peppol(parcel, endpoint_url=receiver.url)

    key = str(parcel.delivery_id)
    assert receipt == key
    stored = receiver.message(key)
    assert stored is not None
    assert stored["receiver"] == "0007:2021005075"
    assert stored["document"] == kind
    assert (stored["size"], stored["count"]) == (len(ubl), 1)
    assert receiver.xml(key) == ubl


def test_peppol_same_delivery_twice_is_stored_once(receiver: Receiver) -> None:
    parcel = make_parcel()

    first = send_peppol(parcel, endpoint_url=receiver.url)
    second = send_peppol(parcel, endpoint_url=receiver.url)  # the AP answers 409 duplicate

    assert first == second == str(parcel.delivery_id)
    stored = [m for m in receiver.messages() if m["key"] == first]
    assert len(stored) == 1
    assert stored[0]["count"] == 2


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_peppol_retryable_status_is_transient_until_it_clears(
    receiver: Receiver, status: int
) -> None:
    parcel = make_parcel()
    receiver.fail_next(2, status)

    for _ in range(2):
        with pytest.raises(TransientFailure) as failure:
            send_peppol(parcel, endpoint_url=receiver.url)
        assert f"HTTP {status}" in failure.value.reason
    assert receiver.message(str(parcel.delivery_id)) is None

    assert send_peppol(parcel, endpoint_url=receiver.url) == str(parcel.delivery_id)
    assert receiver.message(str(parcel.delivery_id))["count"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ubl": b"this is not XML"}, "not a UBL document"),
        ({"ubl": b"<Order/>"}, "not a UBL document"),
        ({"recipient": "5566778899"}, "participant id"),
    ],
)
def test_peppol_400_is_permanent_with_the_access_points_text(
    receiver: Receiver, changes: dict[str, object], expected: str
) -> None:
    parcel = make_parcel(**changes)

    with pytest.raises(PermanentFailure) as failure:
        send_peppol(parcel, endpoint_url=receiver.url)

    assert "HTTP 400" in failure.value.reason
    assert expected in failure.value.reason
    assert receiver.message(str(parcel.delivery_id)) is None


def test_peppol_404_is_permanent(receiver: Receiver) -> None:
    wrong_url = receiver.url.replace("/messages", "/no-such-endpoint")

    with pytest.raises(PermanentFailure) as failure:
        send_peppol(make_parcel(), endpoint_url=wrong_url)

    assert "HTTP 404" in failure.value.reason
    assert "No such endpoint" in failure.value.reason


def test_peppol_other_4xx_is_permanent(receiver: Receiver) -> None:
    receiver.fail_next(1, 403)

    with pytest.raises(PermanentFailure) as failure:
        send_peppol(make_parcel(), endpoint_url=receiver.url)

    assert "HTTP 403" in failure.value.reason


def test_peppol_connection_refused_is_transient(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/peppol/v1/messages"

    with pytest.raises(TransientFailure) as failure:
        send_peppol(make_parcel(), endpoint_url=url)

    assert "PEPPOL-accesspunkten gick inte att nå" in failure.value.reason


def test_peppol_timeout_is_transient() -> None:
    # Listening but never accepting: the connection opens and no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/peppol/v1/messages"

        with pytest.raises(TransientFailure):
            send_peppol(make_parcel(), endpoint_url=url, timeout=0.5)


def test_peppol_dedupe_survives_a_receiver_restart(tmp_path: Path) -> None:
    parcel = make_parcel()
    first = start_receiver(tmp_path)
    try:
        send_peppol(parcel, endpoint_url=first.url)
    finally:
        first.stop()

    second = start_receiver(tmp_path)  # same store file, another port
    try:
        receipt = send_peppol(parcel, endpoint_url=second.url)

        assert receipt == str(parcel.delivery_id)
        [stored] = second.messages()
        assert (stored["key"], stored["count"]) == (receipt, 2)
        assert second.xml(receipt) == INVOICE_XML
    finally:
        second.stop()


def test_peppol_from_settings(receiver: Receiver, settings: Any) -> None:
    settings.PEPPOL_ACCESS_POINT_URL = receiver.url
    parcel = make_parcel()

    assert send_peppol_from_settings(parcel) == str(parcel.delivery_id)


def test_peppol_without_an_access_point_is_permanent(settings: Any) -> None:
    settings.PEPPOL_ACCESS_POINT_URL = ""

    with pytest.raises(PermanentFailure, match="Ingen PEPPOL-accesspunkt är inställd"):
        send_peppol_from_settings(make_parcel())


# --- E-mail ----------------------------------------------------------------------------------


def email_parcel(**changes: object) -> Parcel:
    return make_parcel(**({"recipient": "ekonomi@kund.example", "pdf": PDF} | changes))


def attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    """Return filename -> (content type, decoded bytes) of the message's attachments."""
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found[part.get_filename() or ""] = (part.get_content_type(), payload)
    return found


def test_email_arrives_with_both_attachments(smtp_server: SmtpServer) -> None:
    parcel = email_parcel()

    message_id = send_email(parcel)

    [message] = smtp_server.messages
    assert message["Subject"] == "Faktura F-1001 från Alice Konsult AB"
    assert message["To"] == "ekonomi@kund.example"
    assert message["Message-ID"] == message_id
    assert str(parcel.delivery_id) in message_id
    assert message["X-Delivery-Id"] == str(parcel.delivery_id)
    assert attachments(message) == {
        "faktura-F-1001.pdf": ("application/pdf", PDF),
        "faktura-F-1001.xml": ("application/xml", INVOICE_XML),
    }
    body = message.get_body(("plain",))
    assert body is not None
    assert "F-1001" in body.get_content()


@pytest.mark.parametrize(
    ("kind", "language", "subject"),
    [
        ("credit_note", "sv", "Kreditfaktura 2025/17 från Alice Konsult AB"),
        ("invoice", "en", "Invoice 2025/17 from Alice Konsult AB"),
        ("credit_note", "en", "Credit note 2025/17 from Alice Konsult AB"),
    ],
)
def test_email_subject_follows_kind_and_language(
    smtp_server: SmtpServer, kind: str, language: str, subject: str
) -> None:
    send_email(email_parcel(kind=kind, language=language, invoice_number="2025/17", pdf=None))

    [message] = smtp_server.messages
    assert message["Subject"] == subject
    # No PDF given: only the UBL, named so that the number's slash is no path.
    assert list(attachments(message)) == ["faktura-2025-17.xml"]


def test_email_refused_recipient_is_permanent(smtp_server: SmtpServer) -> None:
    smtp_server.refuse("ekonomi@kund.example")

    with pytest.raises(PermanentFailure) as failure:
        send_email(email_parcel())

    assert "550" in failure.value.reason
    assert "ekonomi@kund.example" in failure.value.reason
    assert smtp_server.messages == []


def test_email_greylisted_recipient_is_transient(smtp_server: SmtpServer) -> None:
    smtp_server.refuse("ekonomi@kund.example", code=451)

    with pytest.raises(TransientFailure, match="451"):
        send_email(email_parcel())


def test_email_451_is_transient_and_the_retry_is_the_same_message(
    smtp_server: SmtpServer,
) -> None:
    parcel = email_parcel()
    smtp_server.defer_next(1)

    with pytest.raises(TransientFailure, match="451"):
        send_email(parcel)
    message_id = send_email(parcel)

    [message] = smtp_server.messages
    assert message["Message-ID"] == message_id == f"<{parcel.delivery_id}@efaktura.example>"


def test_email_invalid_address_is_permanent_without_contacting_the_server(
    smtp_server: SmtpServer, settings: Any, closed_port: int
) -> None:
    # Were the server contacted, the closed port would make this a TransientFailure.
    settings.EMAIL_PORT = closed_port

    with pytest.raises(PermanentFailure, match="inte en giltig e-postadress"):
        send_email(email_parcel(recipient="ekonomi(at)kund.example"))

    assert smtp_server.messages == []


def test_email_server_down_is_transient(
    smtp_server: SmtpServer, settings: Any, closed_port: int
) -> None:
    settings.EMAIL_PORT = closed_port

    with pytest.raises(TransientFailure, match="E-postservern gick inte att nå"):
        send_email(email_parcel())
