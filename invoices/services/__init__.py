"""Every write that matters in invoicing, one module per concern; import from here."""

from invoices.services.attachments import attachment_add, attachment_remove
from invoices.services.drafts import (
    credit_note_create,
    input_from,
    invoice_copy,
    invoice_create,
    invoice_delete,
    invoice_update,
    refresh_totals,
)
from invoices.services.imports import MAX_IMPORT_BYTES, invoice_import
from invoices.services.inbox import inbox_acknowledge, received_mark_handled
from invoices.services.inputs import AllowanceInput, InvoiceInput, LineInput
from invoices.services.issuing import (
    invoice_document,
    invoice_issue,
    invoice_ubl,
    invoice_validate,
)
from invoices.services.pending import (
    pending_send_remember,
    pending_sends_release,
    pending_sends_release_on_commit,
)
from invoices.services.registers import (
    article_save,
    customer_delete,
    customer_route_update,
    customer_save,
)
from invoices.services.resending import invoice_resend
from invoices.services.sending import invoice_send

__all__ = [
    "MAX_IMPORT_BYTES",
    "AllowanceInput",
    "InvoiceInput",
    "LineInput",
    "article_save",
    "attachment_add",
    "attachment_remove",
    "credit_note_create",
    "customer_delete",
    "customer_route_update",
    "customer_save",
    "inbox_acknowledge",
    "input_from",
    "invoice_copy",
    "invoice_create",
    "invoice_delete",
    "invoice_document",
    "invoice_import",
    "invoice_issue",
    "invoice_resend",
    "invoice_send",
    "invoice_ubl",
    "invoice_update",
    "invoice_validate",
    "pending_send_remember",
    "pending_sends_release",
    "pending_sends_release_on_commit",
    "received_mark_handled",
    "refresh_totals",
]
