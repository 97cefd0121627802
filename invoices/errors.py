"""Domain errors of invoicing; views and the API map each to a precise response."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from invoices.findings import Finding
from portal.errors import DomainError


class InvoiceError(DomainError):
    code = "invoice_error"


class NotADraft(InvoiceError):
    code = "not_a_draft"
    message = _("An issued invoice cannot be changed. Correct it with a credit note.")


class InvoiceInvalid(InvoiceError):
    """The invoice breaks a fatal rule; `findings` says which and where."""

    code = "invoice_invalid"
    message = _("The invoice does not pass validation. Correct the fields listed.")

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__()
        self.findings = findings


class ImportRejected(InvoiceInvalid):
    code = "import_rejected"
    message = _("The file was not imported. Nothing was stored.")


class SellerMismatch(InvoiceError):
    code = "seller_mismatch"
    message = _(
        "The seller in the file is not your organisation: only your own invoices can be "
        "created from a file over the API. Nothing was stored."
    )


class NumberTaken(InvoiceError):
    code = "number_taken"

    def __init__(self, number: str) -> None:
        super().__init__(
            _("Another invoice of yours already has the number %(number)s.") % {"number": number}
        )


class NotCreditable(InvoiceError):
    code = "not_creditable"
    message = _("Only an issued invoice can be credited.")


class CustomerInUse(InvoiceError):
    code = "customer_in_use"
    message = _("The customer has invoices and cannot be deleted.")


class ArticlesNeedPlus(InvoiceError):
    code = "articles_need_plus"
    message = _("The article register is part of Web Plus.")


class AttachmentRejected(InvoiceError):
    code = "attachment_rejected"

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason  # lazy: an import's finding says it in Swedish and in English


class SendingBlocked(InvoiceError):
    """The sending gate said no; `decision` carries the code the API answers with."""

    code = "sending_blocked"

    def __init__(self, decision: Any) -> None:
        super().__init__(str(decision.detail))
        self.decision = decision


class NoChannel(InvoiceError):
    code = "no_channel"
    message = _(
        "The customer cannot be reached: add an e-mail address or a PEPPOL id to the customer."
    )


class PossibleDuplicate(InvoiceError):
    """The invoice looks like one already sent; the user must confirm to send it anyway."""

    code = "possible_duplicate"
    message = _("This looks like an invoice you have already sent. Send it anyway?")

    def __init__(self, matches: list[Any]) -> None:
        super().__init__()
        self.matches = matches


class NotResendable(InvoiceError):
    code = "not_resendable"
    message = _("Only an invoice whose delivery failed can be sent again.")
