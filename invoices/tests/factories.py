"""Factories and builders for customers and invoices (through the services, as users would)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory

from accounts.models import Organisation
from invoices import services
from invoices.models import Customer, Invoice


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Kund {n} AB")
    org_number = "556036-0793"
    vat_number = "SE556036079301"
    email = factory.Sequence(lambda n: f"ekonomi{n}@kund.example")
    street_address = "Kundvägen 3"
    postal_code = "411 01"
    city = "Göteborg"
    your_reference = "Inköp 42"


def two_rate_input(customer: Customer, **overrides: Any) -> services.InvoiceInput:
    """Return a draft with 25 % and 12 % lines and a document discount on the 25 % group."""
    issued = overrides.pop("issue_date", date(2026, 11, 2))
    data = services.InvoiceInput(
        customer=customer,
        issue_date=issued,
        due_date=issued + timedelta(days=30),
        buyer_reference="Inköp 42",
        lines=[
            services.LineInput(
                description="Konsulttimmar",
                quantity=Decimal("10"),
                unit_code="HUR",
                unit_price=Decimal("950"),
                article_number="K-1",
            ),
            services.LineInput(
                description="Kurslitteratur",
                quantity=Decimal("3"),
                unit_code="EA",
                unit_price=Decimal("249.50"),
                vat_rate=Decimal("12"),
                discount_amount=Decimal("48.50"),
            ),
        ],
        allowances=[services.AllowanceInput(reason="Avtalsrabatt", amount=Decimal("500"))],
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def draft(organisation: Organisation, user: Any, **overrides: Any) -> Invoice:
    customer = overrides.pop("customer", None) or CustomerFactory(organisation=organisation)
    return services.invoice_create(
        organisation=organisation, user=user, data=two_rate_input(customer, **overrides)
    )


def issued(organisation: Organisation, user: Any, **overrides: Any) -> Invoice:
    return services.invoice_issue(invoice=draft(organisation, user, **overrides), user=user)
