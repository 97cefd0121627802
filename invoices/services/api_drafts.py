"""Drafts an ERP writes over the API: stored only when they pass validation, never twice.

The browser keeps a draft with findings so its user can correct it on the page; an ERP
has no page, so the API's contract is stricter: a draft with fatal findings is rolled
back and the findings are the answer. An `external_id` the organisation has used already
returns that invoice instead of a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from accounts.models import Organisation
from invoices import errors
from invoices.models import Invoice
from invoices.services.attachments import attachment_add
from invoices.services.drafts import credit_note_create, input_from, invoice_create, invoice_update
from invoices.services.imports import draft_blocking, invoice_import
from invoices.services.inputs import InvoiceInput
from invoices.services.issuing import invoice_validate
from invoices.services.registers import customer_save
from portal.files import safe_filename

# What validating a draft and the API's answer read besides the invoice's own row.
DRAFT_ROWS = ("lines", "allowances_charges", "attachments")
RATE_FIELDS = ("exchange_rate", "exchange_rate_date", "exchange_rate_source")


@dataclass
class AttachmentInput:
    filename: str
    content: bytes
    description: str = ""


def invoice_create_checked(
    *,
    organisation: Organisation,
    user: Any,
    data: InvoiceInput,
    attachments: list[AttachmentInput] | None = None,
    external_id: str = "",
) -> tuple[Invoice, bool]:
    """Create a valid draft (a new customer with it); return it and whether it is new.

    A new draft comes back with its rows loaded, ready to be shown as it is stored.
    """

    @transaction.atomic
    def create() -> Invoice:
        if data.customer.pk is None:
            data.customer = customer_save(
                organisation=organisation, user=user, customer=data.customer
            )
        invoice = invoice_create(
            organisation=organisation,
            user=user,
            data=data,
            source=Invoice.Source.API,
            external_id=external_id,
        )
        _attach(invoice, user, attachments or [])
        return _checked(invoice, external_id)

    return _once(organisation, external_id, create)


def invoice_import_checked(
    *, organisation: Organisation, user: Any, data: bytes, external_id: str = ""
) -> tuple[Invoice, bool]:
    """Import the organisation's own UBL keeping its number; return it and whether it is new."""

    @transaction.atomic
    def create() -> Invoice:
        invoice = invoice_import(
            organisation=organisation,
            user=user,
            data=data,
            source=Invoice.Source.API,
            keep_number=True,
        )
        return _checked(invoice, external_id)

    return _once(organisation, external_id, create)


def credit_note_create_checked(
    *, invoice: Invoice, user: Any, changes: Mapping[str, Any], external_id: str = ""
) -> tuple[Invoice, bool]:
    """Draft a credit note for an issued invoice; `changes` replace its lines, dates, notes."""

    @transaction.atomic
    def create() -> Invoice:
        credit_note = credit_note_create(invoice=invoice, user=user)
        if changes:
            data = input_from(credit_note)
            for name, value in changes.items():
                setattr(data, name, value)
            credit_note = invoice_update(invoice=credit_note, user=user, data=data)
        return _checked(credit_note, external_id)

    return _once(invoice.organisation, external_id, create)


def invoice_update_checked(*, invoice: Invoice, user: Any, changes: Mapping[str, Any]) -> Invoice:
    """Change a draft as given; if it would no longer be valid, refuse and keep it as it was."""
    with transaction.atomic():
        data = input_from(invoice)
        for name, value in changes.items():
            setattr(data, name, value)
        invoice = _refuse_if_invalid(invoice_update(invoice=invoice, user=user, data=data))
    return _with_stored_rate(invoice)


def _once(
    organisation: Organisation, external_id: str, create: Callable[[], Invoice]
) -> tuple[Invoice, bool]:
    existing = _by_external_id(organisation, external_id)
    if existing is not None:
        return existing, False
    try:
        invoice = create()
    except IntegrityError:
        # A concurrent request with the same external id committed first: answer with its.
        existing = _by_external_id(organisation, external_id)
        if existing is None:
            raise
        return existing, False
    return _with_stored_rate(invoice), True


def _with_stored_rate(invoice: Invoice) -> Invoice:
    if invoice.currency != "SEK":
        # The provider's rate was stored after the commit (drafts.exchange_rate_refresh).
        invoice.refresh_from_db(fields=RATE_FIELDS)
    return invoice


def _by_external_id(organisation: Organisation, external_id: str) -> Invoice | None:
    if not external_id:
        return None
    return Invoice.objects.for_org(organisation).filter(external_id=external_id).first()


def _attach(invoice: Invoice, user: Any, attachments: list[AttachmentInput]) -> None:
    for item in attachments:
        try:
            attachment_add(
                invoice=invoice,
                user=user,
                filename=item.filename,
                content=item.content,
                description=item.description,
            )
        except errors.AttachmentRejected as error:
            raise errors.AttachmentRejected(
                _("Attachment “%(name)s”: %(reason)s")
                % {"name": safe_filename(item.filename), "reason": error.reason}
            ) from None


def _checked(invoice: Invoice, external_id: str) -> Invoice:
    """Mark the draft as the API's and keep its external id, or refuse it if invalid."""
    if (invoice.source, invoice.external_id) != (Invoice.Source.API, external_id):
        invoice.source = Invoice.Source.API
        invoice.external_id = external_id
        invoice.save(update_fields=["source", "external_id", "updated_at"])
    return _refuse_if_invalid(invoice)


def _refuse_if_invalid(invoice: Invoice) -> Invoice:
    # Read once, here, what the validator and then the API's answer show of the draft.
    prefetch_related_objects([invoice], *DRAFT_ROWS)
    fatal = draft_blocking(invoice_validate(invoice).findings)
    if fatal:
        raise errors.InvoiceInvalid(fatal)  # the caller's transaction stores nothing
    return invoice
