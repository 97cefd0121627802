"""Factories and builders for customers and invoices (through the services, as users would)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.db import connection

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


TRIGRAM_INDEXES = ("invoice_number_trgm", "invoice_reference_trgm", "customer_name_trgm")


def invoice_history(
    organisation: Organisation,
    user: Any,
    count: int,
    customers: int,
    *,
    customers_used: int = 20,
    days: int = 1000,
) -> list[Customer]:
    """Give the organisation `count` issued invoices, bulk-inserted (100,000 in seconds).

    Numbers F00000 onwards, one day in `days` from 2023-01-01 after another, the first
    `customers_used` customers in turn, references "Inköp <5 digits>" that are all different
    (7919 is prime), one in 1,000 failed; the last customer, "Särskilda Snickeriet HB", has
    invoices 7 and 1500 only. Then the planner's statistics are made, as on a settled table.
    """
    made = Customer.objects.bulk_create(
        [Customer(organisation=organisation, name=f"Kund {n} AB") for n in range(customers)]
        + [Customer(organisation=organisation, name="Särskilda Snickeriet HB")]
    )
    start = date(2023, 1, 1)
    Invoice.objects.bulk_create(
        (
            Invoice(
                organisation=organisation,
                customer=made[-1] if n in (7, 1500) else made[n % customers_used],
                status=Invoice.Status.FAILED if n % 1000 == 3 else Invoice.Status.ISSUED,
                number=f"F{n:05d}",
                issue_date=start + timedelta(days=n % days),
                due_date=start + timedelta(days=n % days + 30),
                buyer_reference=f"Inköp {n * 7919 % 100000:05d}",
                created_by=user,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # Rows inserted after a GIN index was made wait in its pending list (autovacuum
        # merges it), which the planner counts as a cost: merged here, as on a settled table.
        for index in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE invoices_invoice")
        cursor.execute("ANALYZE invoices_customer")
    return made
