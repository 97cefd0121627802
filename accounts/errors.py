"""Domain errors of accounts; views and the API map each to a precise response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

if TYPE_CHECKING:
    from accounts.models import NetworkRegistration, Organisation


class AccountsError(DomainError):
    """Base of the accounts app's domain errors."""

    code = "accounts_error"


class OrganisationExists(AccountsError):
    code = "organisation_exists"
    message = _("This organisation already uses the portal. Ask to join it instead.")

    def __init__(self, organisation: Organisation) -> None:
        super().__init__()
        self.organisation = organisation


class OrganisationNumberTaken(AccountsError):
    code = "organisation_number_taken"
    message = _("Another e-invoicing solution already sends for this organisation number.")

    def __init__(self, registration: NetworkRegistration) -> None:
        super().__init__()
        self.registration = registration


class SeatLimitReached(AccountsError):
    code = "seat_limit_reached"
    message = _("Web Bas allows one user. Upgrade to Web Plus to add more users.")


class InvitationInvalid(AccountsError):
    code = "invitation_invalid"
    message = _("This invitation is unknown, has expired or has already been used.")


class InvitationForAnotherEmail(AccountsError):
    code = "invitation_other_email"
    message = _("This invitation was sent to another e-mail address. Log in as that user.")


class AlreadyMember(AccountsError):
    code = "already_member"
    message = _("You are already a member of this organisation.")


class JoinRequestPending(AccountsError):
    code = "join_request_pending"
    message = _("You have already asked to join; an owner will decide.")


class LastOwner(AccountsError):
    code = "last_owner"
    message = _("An organisation must keep at least one owner.")


class RoleNotAllowed(AccountsError):
    code = "role_not_allowed"
    message = _("Only an owner may give or take the owner role.")


class TransferAlreadyRequested(AccountsError):
    code = "transfer_already_requested"
    message = _("A transfer of this organisation number has already been requested.")


class PlanDowngradeBlocked(AccountsError):
    code = "plan_downgrade_blocked"
    message = _("Remove users until one is left before moving to Web Bas.")


class NothingToTransfer(AccountsError):
    code = "nothing_to_transfer"
    message = _("No other solution holds this organisation number; you can register it directly.")


class StatusChangeNotAllowed(AccountsError):
    code = "status_change_not_allowed"
    message = _("The organisation's status does not allow this change.")


class PaymentChangeNotAllowed(AccountsError):
    code = "payment_change_not_allowed"
    message = _("The payment account cannot be changed while the organisation is blocked.")


class PaymentChangeClosed(AccountsError):
    code = "payment_change_closed"
    message = _("This change of payment account has already been decided or withdrawn.")


class PaymentChangeStale(AccountsError):
    code = "payment_change_stale"
    message = _("The payment account changed after this change was requested. Request it again.")


class ApiKeyRevoked(AccountsError):
    code = "api_key_revoked"
    message = _("This API key has already been revoked.")


class ReviewNotAllowed(AccountsError):
    code = "review_not_allowed"
    message = _("Only staff with the review permission may decide risk flags.")


class ReasonRequired(AccountsError):
    code = "reason_required"
    message = _("Write the reason for your decision.")


class DecisionNotOffered(AccountsError):
    code = "decision_not_offered"
    message = _("This decision is not possible for this flag in its current state.")


class FlagDecided(AccountsError):
    code = "flag_decided"
    message = _("This flag has already been decided or closed.")


class DecisionAwaitingSecond(AccountsError):
    code = "decision_awaiting_second"
    message = _("A decision on this flag waits for a second reviewer: confirm or turn it down.")


class DecisionNotAwaiting(AccountsError):
    code = "decision_not_awaiting"
    message = _("This decision no longer waits for a second reviewer.")


class SameReviewer(AccountsError):
    code = "same_reviewer"
    message = _("Another staff member than the one who decided must make the second review.")


class NoQuestionOpen(AccountsError):
    code = "no_question_open"
    message = _("Our staff are no longer waiting for an answer to this question.")


class AnswerNotAllowed(AccountsError):
    code = "answer_not_allowed"
    message = _("Only an owner or administrator of the organisation can answer our staff.")


class AnswerRequired(AccountsError):
    code = "answer_required"
    message = _("Write your answer before sending it.")
