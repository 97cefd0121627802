"""The invoices app's pages, one module per area; urls.py imports them from here."""

from invoices.views.delivery import invoice_resend, invoice_send, to_manage
from invoices.views.documents import (
    attachment_add,
    attachment_download,
    attachment_remove,
    invoice_copy,
    invoice_create,
    invoice_credit,
    invoice_delete,
    invoice_detail,
    invoice_edit,
    invoice_import,
    invoice_issue,
    invoice_list,
    invoice_pdf,
    invoice_xml,
)
from invoices.views.inbox import (
    inbox,
    received_detail,
    received_handled,
    received_pdf,
    received_xml,
)
from invoices.views.registers import (
    article_edit,
    article_list,
    customer_delete,
    customer_edit,
    customer_list,
)

__all__ = [
    "article_edit",
    "article_list",
    "attachment_add",
    "attachment_download",
    "attachment_remove",
    "customer_delete",
    "customer_edit",
    "customer_list",
    "inbox",
    "invoice_copy",
    "invoice_create",
    "invoice_credit",
    "invoice_delete",
    "invoice_detail",
    "invoice_edit",
    "invoice_import",
    "invoice_issue",
    "invoice_list",
    "invoice_pdf",
    "invoice_resend",
    "invoice_send",
    "invoice_xml",
    "received_detail",
    "received_handled",
    "received_pdf",
    "received_xml",
    "to_manage",
]
