"""Attachments: PDFs and images embedded in the UBL, checked by content, not by name."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_event_record
from invoices import errors
from invoices.models import Invoice, InvoiceAttachment
from invoices.services.drafts import lock_draft
from portal.files import safe_filename, sniff_mime_type
from portal.prefetch import forget_related


@transaction.atomic
def attachment_add(
    *, invoice: Invoice, user: Any, filename: str, content: bytes, description: str = ""
) -> InvoiceAttachment:
    """Attach a PDF, PNG or JPEG (2 MB each, 10 MB per invoice) to a draft.

    Uploads and the files embedded in an imported UBL both come this way, so both meet
    the same rules: the type the content really is, the sizes, a safe name.
    """
    forget_related(invoice, "attachments")  # the caller's instance: this one adds to them
    invoice = lock_draft(invoice)
    mime_type = sniff_mime_type(content)
    if mime_type is None:
        raise errors.AttachmentRejected(_("Only PDF, PNG and JPEG files can be attached."))
    if len(content) > InvoiceAttachment.MAX_BYTES:
        raise errors.AttachmentRejected(_("An attachment may be at most 2 MB."))
    used = invoice.attachments.aggregate(total=Sum("size"))["total"] or 0
    if used + len(content) > InvoiceAttachment.MAX_TOTAL_BYTES:
        raise errors.AttachmentRejected(_("The attachments of an invoice may be 10 MB in all."))
    attachment = InvoiceAttachment(
        invoice=invoice,
        filename=safe_filename(filename, mime_type),
        mime_type=mime_type,
        description=description[:200],
        content=content,
        size=len(content),
    )
    attachment.full_clean(exclude=["invoice"])
    attachment.save()
    audit_event_record(
        action="attachment.added",
        actor=user,
        organisation=invoice.organisation,
        obj=attachment,
        data={"filename": attachment.filename, "size": attachment.size},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: InvoiceAttachment, user: Any) -> None:
    """Remove an attachment from a draft."""
    forget_related(attachment.invoice, "attachments")
    invoice = lock_draft(attachment.invoice)
    audit_event_record(
        action="attachment.removed",
        actor=user,
        organisation=invoice.organisation,
        obj=attachment,
        data={"filename": attachment.filename},
    )
    attachment.delete()
