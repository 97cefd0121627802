"""Domain errors of the partner integrations; the partner API maps each to its answer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.errors import AccountsError

# Who holds an organisation number the partner asked for.
HOLDER_WEB = "web"
HOLDER_PARTNER = "partner"


class NumberHeldElsewhere(AccountsError):
    """Another solution holds the number: the web service or another partner (`holder`).

    The code is the web's own (organisation_number_taken) so a client switches on one code
    whichever side asked; another partner is never named to a partner.
    """

    code = "organisation_number_taken"

    def __init__(self, holder: str) -> None:
        message = (
            _(
                "An organisation in the web service already holds this organisation number. "
                "Using more than one solution for the same organisation is not recommended."
            )
            if holder == HOLDER_WEB
            else _(
                "Another e-invoicing solution already sends for this organisation number. "
                "Its customer can ask for a transfer."
            )
        )
        super().__init__(str(message))
        self.holder = holder


class NotInRegister(AccountsError):
    code = "organisation_not_in_register"
    message = _("The company register does not know this organisation number.")


class RegisterDown(AccountsError):
    code = "register_unavailable"
    message = _("The company register did not answer. Try again in a while.")


class PartnerSuspended(AccountsError):
    code = "partner_suspended"
    message = _(
        "This partner integration is suspended: its keys may read, but not connect, "
        "end connections or send."
    )


class PartnerAlreadySuspended(AccountsError):
    code = "partner_already_suspended"
    message = _("This partner integration is already suspended.")


class PartnerNotSuspended(AccountsError):
    code = "partner_not_suspended"
    message = _("This partner integration is not suspended.")


class ConnectionAlreadyEnded(AccountsError):
    code = "connection_ended"
    message = _("This connection has already ended.")
