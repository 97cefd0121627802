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
)


@dataclass
class InvoiceInput:
    customer: Customer
    issue_date: date
    due_date: date
    lines: list[LineInput]
    currency: str = "SEK"
    buyer_reference: str = ""
    order_reference: str = ""
    notes: str = ""
    allowances: list[AllowanceInput] = field(default_factory=list)
