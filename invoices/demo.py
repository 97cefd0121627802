"""Demo invoicing data: a few customers and invoices, written through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from invoices import services
from invoices.models import Customer, DeliveryChannel

CUSTOMERS: list[dict[str, Any]] = [
    {"name": "Bergström Bygg & Måleri AB", "org_number": "559023-4562",
     "vat_number": "SE559023456201", "email": "ekonomi@bergstrom.example",
     "street_address": "Industrivägen 4", "postal_code": "702 27", "city": "Örebro",
     "customer_number": "1001", "your_reference": "Erik Bergström"},
    {"name": "Ängsbacken Bostadsrättsförening", "org_number": "716420-1233",
     "email": "styrelsen@angsbacken.example", "street_address": "Ängsvägen 14",
     "postal_code": "352 36", "city": "Växjö", "customer_number": "1002",
     "your_reference": "Styrelsen",
     "preferred_channel": DeliveryChannel.EMAIL},
    {"name": "Kvarnen Data AB", "org_number": "559056-7896", "vat_number": "SE559056789601",
     "peppol_id": "0007:5590567896", "street_address": "Kvarngatan 3", "postal_code": "118 47",
     "city": "Stockholm", "customer_number": "1003", "your_reference": "Oskar Virtanen"},
    # A buyer abroad with no PEPPOL id: invoiced in EUR by e-mail, reverse charge.
    {"name": "Rheinblick Software GmbH", "vat_number": "DE811907980",
     "email": "rechnungen@rheinblick.example", "street_address": "Rheinuferstraße 7",
     "postal_code": "50668", "city": "Köln", "country_code": "DE", "customer_number": "1004",
     "your_reference": "Jana Weber", "payment_terms_days": 14,
     "preferred_channel": DeliveryChannel.EMAIL},
]


# The unverified demo organisation invoices the verified one: a send goes to its inbox
# once Erik Bergström has signed in the simulated BankID app.
BERGSTROM_CUSTOMERS = [
    {"name": "Norrsken Konsult AB", "org_number": "559012-3450",
     "vat_number": "SE559012345001", "email": "anna@norrsken.example",
     "street_address": "Storgatan 12", "postal_code": "903 26", "city": "Umeå",
     "customer_number": "2001", "your_reference": "Anna Lindqvist"},
]


def seed_customers(*, organisation: Organisation, user: Any) -> None:
    """Give an organisation its demo customers (once)."""
    if Customer.objects.for_org(organisation).exists():
        return
    for data in BERGSTROM_CUSTOMERS:
        services.customer_save(organisation=organisation, user=user, customer=Customer(**data))


def _line(description: str, quantity: str, unit: str, price: str, rate: str = "25",
          discount: str = "0") -> services.LineInput:
    return services.LineInput(
        description=description, quantity=Decimal(quantity), unit_code=unit,
        unit_price=Decimal(price), vat_rate=Decimal(rate), discount_amount=Decimal(discount),
    )


def seed_invoices(*, organisation: Organisation, user: Any) -> None:
    """Give the organisation customers, an issued invoice, a credit note and a draft (once)."""
    if Customer.objects.for_org(organisation).exists():
        return
    customers = [
        services.customer_save(organisation=organisation, user=user, customer=Customer(**data))
        for data in CUSTOMERS
    ]
    today = timezone.localdate()
    consulting = services.InvoiceInput(
        customer=customers[0], issue_date=today - timedelta(days=10),
        due_date=today + timedelta(days=20), buyer_reference="Erik Bergström",
        lines=[
            _line("Konsulttimmar, oktober", "12", "HUR", "950"),
            _line("Kurslitteratur", "3", "EA", "249.50", rate="12", discount="48.50"),
        ],
        allowances=[services.AllowanceInput(reason="Avtalsrabatt", amount=Decimal("500"))],
    )
    invoice = services.invoice_create(organisation=organisation, user=user, data=consulting)
    invoice = services.invoice_issue(invoice=invoice, user=user)
    credit_note = services.credit_note_create(invoice=invoice, user=user)
    services.invoice_issue(invoice=credit_note, user=user)
    services.invoice_create(
        organisation=organisation, user=user,
        data=services.InvoiceInput(
            customer=customers[2], issue_date=today, due_date=today + timedelta(days=30),
            buyer_reference="Oskar Virtanen",
            lines=[_line("Systemutveckling", "40", "HUR", "1100"),
                   _line("Serverdrift, november", "1", "MON", "2400")],
        ),
    )
