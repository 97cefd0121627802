"""Customers and articles: the registers invoices are written from."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Organisation, Plan
from accounts.services import audit_event_record
from invoices import errors
from invoices.models import Article, Customer


@transaction.atomic
def customer_save(*, organisation: Organisation, user: Any, customer: Customer) -> Customer:
    """Create or update a customer of the organisation."""
    customer.organisation = organisation
    created = customer.pk is None
    customer.full_clean()
    customer.save()
    audit_event_record(
        action="customer.created" if created else "customer.updated",
        actor=user,
        organisation=organisation,
        obj=customer,
        data={"name": customer.name},
    )
    return customer


@transaction.atomic
def customer_delete(*, user: Any, customer: Customer) -> None:
    """Delete a customer that has no invoices."""
    if customer.invoices.exists():
        raise errors.CustomerInUse
    audit_event_record(
        action="customer.deleted",
        actor=user,
        organisation=customer.organisation,
        obj=customer,
        data={"name": customer.name},
    )
    customer.delete()


@transaction.atomic
def customer_route_update(
    *, user: Any, customer: Customer, channel: str, email: str = "", peppol_id: str = ""
) -> Customer:
    """Change how the customer is reached (from "To manage", after a failed delivery)."""
    customer.preferred_channel = channel
    customer.email = email or customer.email
    customer.peppol_id = peppol_id or customer.peppol_id
    return customer_save(organisation=customer.organisation, user=user, customer=customer)


@transaction.atomic
def article_save(*, organisation: Organisation, user: Any, article: Article) -> Article:
    """Create or update an article (Web Plus)."""
    if organisation.plan != Plan.PLUS:
        raise errors.ArticlesNeedPlus
    article.organisation = organisation
    article.full_clean()
    article.save()
    audit_event_record(
        action="article.saved",
        actor=user,
        organisation=organisation,
        obj=article,
        data={"number": article.number},
    )
    return article
