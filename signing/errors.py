"""Domain errors of the signing flow; views map each to a page or a message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError


class SigningError(DomainError):
    """Base of the signing flow's domain errors."""

    code = "signing_error"
    message = _("The signing could not be started.")


class AlreadyVerified(SigningError):
    code = "already_verified"
    message = _("The organisation is already verified. Nobody needs to sign again.")


class NotSignable(SigningError):
    code = "not_signable"
    message = _("The organisation cannot be verified in its current state.")


class DetailsIncomplete(SigningError):
    code = "details_incomplete"
    message = _("Add the company's address before signing.")


class BankIDUnavailable(SigningError):
    """BankID answered with an error; `rfa` names the message to show."""

    code = "bankid_error"

    def __init__(self, rfa: str) -> None:
        super().__init__(rfa)
        self.rfa = rfa
