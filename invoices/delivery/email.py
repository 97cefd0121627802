"""The e-mail channel: the PDF and the UBL attached, through Django's e-mail backend."""

from __future__ import annotations

import re
import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from invoices.delivery.base import Parcel, PermanentFailure, TransientFailure

# Fixed, not the host's name: a retry from another worker must carry the same Message-ID.
MESSAGE_ID_DOMAIN = "efaktura.example"
_TEXTS = {
    "sv": {
        "invoice": "Faktura",
        "credit_note": "Kreditfaktura",
        "subject": "{document} {number} från {seller}",
        "with_pdf": "som PDF och som e-faktura (XML, PEPPOL BIS Billing 3.0)",
        "xml_only": "som e-faktura (XML, PEPPOL BIS Billing 3.0)",
        "body": (
            "Hej!\n\n{document} {number} från {seller} finns bifogad {attached}.\n\n"
            "Meddelandet skickades via e-faktura och går inte att svara på.\n"
        ),
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "subject": "{document} {number} from {seller}",
        "with_pdf": "as a PDF and as an e-invoice (XML, PEPPOL BIS Billing 3.0)",
        "xml_only": "as an e-invoice (XML, PEPPOL BIS Billing 3.0)",
        "body": (
            "Hello,\n\n{document} {number} from {seller} is attached {attached}.\n\n"
            "This message was sent through e-faktura; replies are not read.\n"
        ),
    },
}


def send_email(parcel: Parcel, *, connection: Any | None = None) -> str:
    """E-mail the parcel to its recipient and return the message's Message-ID."""
    try:
        validate_email(parcel.recipient)
    except ValidationError:
        raise PermanentFailure("email.invalid_address", address=parcel.recipient) from None
    message = build_message(parcel, connection=connection)
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        raise _failure(error, parcel.recipient) from error
    return message_id(parcel)


def build_message(parcel: Parcel, *, connection: Any | None = None) -> EmailMessage:
    """Return the e-mail of the parcel, attachments included, ready to send."""
    texts = _TEXTS.get(parcel.language, _TEXTS["sv"])
    words = {
        "document": texts[parcel.kind],
        "number": parcel.invoice_number,
        "seller": parcel.seller_name,
        "attached": texts["with_pdf" if parcel.pdf is not None else "xml_only"],
    }
    message = EmailMessage(
        subject=texts["subject"].format(**words),
        body=texts["body"].format(**words),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[parcel.recipient],
        connection=connection,
        headers={"Message-ID": message_id(parcel), "X-Delivery-Id": str(parcel.delivery_id)},
    )
    name = "faktura-" + _file_safe(parcel.invoice_number)
    if parcel.pdf is not None:
        message.attach(f"{name}.pdf", parcel.pdf, "application/pdf")
    message.attach(f"{name}.xml", parcel.ubl, "application/xml")
    return message


def message_id(parcel: Parcel) -> str:
    """Return the Message-ID every attempt of this delivery carries."""
    return f"<{parcel.delivery_id}@{MESSAGE_ID_DOMAIN}>"


def _failure(error: Exception, recipient: str) -> PermanentFailure | TransientFailure:
    """Map an SMTP or socket error to retry-later or give-up."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _refused(error, recipient)
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return TransientFailure("email.unreachable", error=str(error))
    if isinstance(error, smtplib.SMTPResponseException):
        # SMTP's own split (RFC 5321): 4yz is "try again later", 5yz is "never".
        text = _smtp_text(error.smtp_code, error.smtp_error)
        if 400 <= error.smtp_code < 500:
            return TransientFailure("email.try_later", reply=text)
        return PermanentFailure("email.refused_message", reply=text)
    if isinstance(error, smtplib.SMTPException):
        return PermanentFailure("email.not_sent", error=str(error))
    return TransientFailure("email.unreachable", error=str(error))


def _refused(
    error: smtplib.SMTPRecipientsRefused, recipient: str
) -> PermanentFailure | TransientFailure:
    """Give up on a refused address, unless every refusal was temporary (e.g. greylisting)."""
    answers = list(error.recipients.values())
    text = "; ".join(_smtp_text(code, reply) for code, reply in answers)
    if answers and all(400 <= code < 500 for code, _ in answers):
        return TransientFailure("email.deferred", address=recipient, reply=text)
    return PermanentFailure("email.refused_address", address=recipient, reply=text)


def _smtp_text(code: int, reply: bytes | str) -> str:
    decoded = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"{code} {decoded}"


def _file_safe(number: str) -> str:
    # Invoice numbers such as "2025/17" must not become a path in the recipient's mail client.
    return re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.") or "faktura"
