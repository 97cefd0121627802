"""What every delivery channel takes and raises: a parcel in, a receipt or a failure out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from invoices.messages import Message


@dataclass(frozen=True)
class Parcel:
    """One delivery of one frozen document to one channel address."""

    delivery_id: UUID  # stable idempotency key: the same delivery is never delivered twice
    invoice_number: str
    kind: str  # "invoice" | "credit_note"
    seller_name: str
    recipient: str  # channel address: PEPPOL participant id "0007:5566778899" / e-mail address
    ubl: bytes  # the frozen UBL XML
    pdf: bytes | None = None  # for e-mail
    language: str = "sv"


class DeliveryFailure(Exception):
    """A delivery that did not happen, by a code of invoices.messages and its parameters.

    The message is stored on the delivery and shown in the "To manage" list in the reader's
    language; `reason` renders it in the active language (logs, the task's result).
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.message = Message(code, params)

    @property
    def reason(self) -> str:
        return str(self.message)

    def __str__(self) -> str:
        return self.reason


class TransientFailure(DeliveryFailure):
    """Retry later: timeouts, 5xx, connection refused, 429."""


class PermanentFailure(DeliveryFailure):
    """Don't retry: 4xx from the access point, a bad or refused e-mail address."""
