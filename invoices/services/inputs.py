"""What the invoice services take: plain values a form, an import or the API fills in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from invoices.models import Customer


@dataclass
class LineInput:
    description: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("25")
    article_number: str = ""
    discount_amount: Decimal = Decimal("0")
    exemption_reason: str = ""
    exemption_reason_code: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AllowanceInput:
    reason: str
    amount: Decimal
    is_charge: bool = False
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("25")


# The invoice's own fields (not lines or allowances), as forms and services name them.
HEADER_FIELDS = (
    "customer",
    "issue_date",
    "due_date",
    "currency",
    "buyer_reference",
    "order_reference",
    "notes",
    "delivery_date",
    "period_start",
    "period_end",
)


@dataclass
class InvoiceInput:
    customer: Customer
    issue_date: date
    # None: the customer's payment terms, else the organisation's default, from the issue date.
    due_date: date | None
    lines: list[LineInput]
    currency: str = "SEK"
    buyer_reference: str = ""
    order_reference: str = ""
    notes: str = ""
    delivery_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    # A rate the seller enters by hand (SEK per unit); None: the rate provider's for the date.
    exchange_rate: Decimal | None = None
    allowances: list[AllowanceInput] = field(default_factory=list)
