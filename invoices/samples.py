"""Sample documents for tests and benchmarks: a Swedish seller and buyer, lines, invoices.

Pure: plain dataclasses, amounts computed by `invoices.totals`. The UBL golden files in
invoices/tests/data are built from these documents, so changing a value here changes them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from invoices import totals
from invoices.document import Address, AllowanceCharge, DocumentKind, InvoiceDocument, Line, Party

D = Decimal
# Sweden's three VAT rates: a sample over all of them has a three-group VAT breakdown.
RATES = (D(25), D(12), D(6))


def seller(**changes: object) -> Party:
    """Return a Swedish consultancy with every seller field set, `changes` applied."""
    party = Party(
        name="Alice Konsult AB",
        endpoint_id="5566778899",
        endpoint_scheme="0007",
        legal_id="5566778899",
        legal_id_scheme="0007",
        legal_form="Säte: Stockholm",
        vat_number="SE556677889901",
        tax_registration="Godkänd för F-skatt",
        address=Address(street="Storgatan 1", city="Stockholm", postal_zone="111 22"),
        contact_name="Alice Andersson",
        contact_phone="+46 8 123 45 67",
        contact_email="faktura@alice.example",
    )
    return dataclasses.replace(party, **changes)  # type: ignore[arg-type]


def buyer(**changes: object) -> Party:
    """Return a Swedish municipality as PEPPOL addresses it, `changes` applied."""
    party = Party(
        name="Kommunen i Exempelby",
        endpoint_id="2021005075",
        endpoint_scheme="0007",
        legal_id="2021005075",
        legal_id_scheme="0007",
        vat_number="SE202100507501",
        address=Address(street="Rådhustorget 3", city="Exempelby", postal_zone="222 33"),
    )
    return dataclasses.replace(party, **changes)  # type: ignore[arg-type]


def simple_line(number: int, quantity: str, price: str, rate: str = "25", **extra: object) -> Line:
    """Return a line of consulting hours at a rate ("none": no rate), `extra` applied."""
    return Line(
        id=str(number),
        name=f"Konsulttimme {number}",
        quantity=D(quantity),
        unit_code=str(extra.pop("unit_code", "HUR")),
        net_price=D(price),
        vat_category=str(extra.pop("category", "S")),
        vat_rate=None if rate == "none" else D(rate),
        **extra,  # type: ignore[arg-type]
    )


def invoice(*lines: Line, **changes: object) -> InvoiceDocument:
    """Return a computed invoice of the lines (one if none), `changes` and `exemptions` applied."""
    doc = InvoiceDocument(
        kind=DocumentKind.INVOICE,
        number="2026-0042",
        issue_date=date(2026, 9, 1),
        due_date=date(2026, 10, 1),
        seller=seller(),
        buyer=buyer(),
        lines=list(lines) or [simple_line(1, "10", "950")],
        buyer_reference="Er ref: Bertil",
        payment_means=[totals.bankgiro_payment_means("5050-1055", "1234574")],
        payment_terms="30 dagar netto",
    )
    exemptions = changes.pop("exemptions", None)
    doc = dataclasses.replace(doc, **changes)  # type: ignore[arg-type]
    return totals.compute(doc, exemptions=exemptions)  # type: ignore[arg-type]


def article_lines(count: int) -> list[Line]:
    """Return `count` lines of varied quantities and prices over the three VAT rates."""
    return [
        Line(
            id=str(number),
            name=f"Artikel {number}",
            quantity=D(1 + number % 7),
            unit_code="EA",
            net_price=D(f"{10 + number % 90}.{number % 100:02d}"),
            vat_category="S",
            vat_rate=RATES[number % 3],
        )
        for number in range(1, count + 1)
    ]


def sample_document(*, lines: int = 3, **changes: object) -> InvoiceDocument:
    """Return a computed invoice of `lines` article lines and a document-level discount."""
    discount = AllowanceCharge(
        is_charge=False,
        amount=D("5.00"),
        reason="Rabatt",
        reason_code="95",
        vat_category="S",
        vat_rate=RATES[0],
    )
    return invoice(*article_lines(lines), allowances_charges=[discount], **changes)
