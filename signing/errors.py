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


class TooManyStarts(SigningError):
    code = "too_many_bankid_starts"
    message = _("Too many BankID signings have been started. Please try again later.")


class TakeoverOfOwnOrganisation(SigningError):
    code = "takeover_of_own_organisation"
    message = _("You are already a member of this organisation: verify it instead.")


# Why an order that BankID completed still verified nothing; the signing page says it.
FAILURE_MESSAGES = {
    "details_changed": _(
        "The details changed while you were signing, so the signature confirms nothing. "
        "Check the details and sign again."
    ),
    "no_longer_allowed": _("You are no longer allowed to sign for this organisation."),
    "claim_lapsed": _(
        "The registration lapsed because nobody signed it in time. Register the company again."
    ),
    "not_signatory": _(
        "Only a signatory of the company, as registered in the company register, can take "
        "over its registration. Nothing has changed."
    ),
    "takeover_closed": _("The organisation can no longer be taken over. Nothing has changed."),
    "payment_change_closed": _(
        "This change of payment account has already been decided or withdrawn."
    ),
}
