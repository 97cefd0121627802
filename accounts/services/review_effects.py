"""What a staff decision on a risk flag does, and the mails that tell the people concerned.

accounts.services.reviews decides (reasons, permission, four eyes, locks) and calls
review_carry_out here once a decision is to take effect. The caller holds the locks of the
flag and its organisation. Mails go out after the commit, to each person in their language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts import selectors
from accounts.mail import mail_users_on_commit
from accounts.models import (
    Membership,
    Organisation,
    PaymentDetailsChange,
    ReviewDecision,
    RiskFlag,
)
from accounts.services.audit import audit_event_record
from accounts.services.organisations import organisation_status_change
from accounts.services.partner_connections import ATTESTED_STATUSES
from accounts.services.payments import payment_change_apply, payment_change_decline

Action = ReviewDecision.Action
FlagStatus = RiskFlag.Status
OrgStatus = Organisation.VerificationStatus
TRANSFER_REASON = "Transferred to the web service at the company's request"


def review_flag_status(flag: RiskFlag, status: str, staff: Any = None) -> None:
    """Move the locked flag to a status; a decided one records who decided and when."""
    flag.status = status
    fields = ["status"]
    if status not in RiskFlag.ACTIVE:
        flag.resolved_by, flag.resolved_at = staff, timezone.now()
        fields += ["resolved_by", "resolved_at"]
    flag.save(update_fields=fields)


def review_carry_out(*, flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    """Give the decision its effect on the flag, the organisation and the people concerned."""
    _CARRY_OUT[decision.action](flag, decision, staff)


def _approve(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    organisation = flag.organisation
    assert organisation is not None  # review_decisions_possible offers nothing otherwise
    change = _payment_change_in_review(flag)
    if change is not None:
        payment_change_apply(change=change, actor=staff)
        _mail_owners(organisation, "payment_change_decided", {"change": change})
    review_flag_status(flag, FlagStatus.APPROVED, staff)
    if flag.holds_sending:
        _release_if_nothing_holds(organisation, staff)


def _release_if_nothing_holds(organisation: Organisation, staff: Any) -> None:
    """Open sending when the last flag that held it is decided; send what waited."""
    if organisation.verification_status != OrgStatus.PENDING_REVIEW:
        return
    if selectors.risk_flags_holding(organisation=organisation):
        return  # another flag still holds it: sending opens when that one is approved too
    organisation.verified_at = organisation.verified_at or timezone.now()
    organisation.save(update_fields=["verified_at"])
    organisation_status_change(
        organisation=organisation, status=OrgStatus.VERIFIED, actor=staff, data={}
    )
    # The sends users pressed while the organisation waited go out now, as after signing.
    from invoices.services import pending_sends_release_on_commit

    pending_sends_release_on_commit(organisation_id=organisation.pk)
    _mail_owners(organisation, "review_approved")


def _reject(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    organisation = flag.organisation
    assert organisation is not None
    if flag.kind == RiskFlag.Kind.PAYMENT_DETAILS_CHANGED:
        # Only the new account is refused: the signed one stays, and sending goes on.
        change = _payment_change_in_review(flag)
        assert change is not None
        payment_change_decline(change=change, actor=staff)
        _mail_owners(organisation, "payment_change_decided", {"change": change})
    else:
        organisation.verified_at = None
        organisation.save(update_fields=["verified_at"])
        organisation_status_change(
            organisation=organisation,
            status=OrgStatus.REJECTED,
            actor=staff,
            data={"risk_flag": flag.pk, "decision": decision.pk},
        )
        _mail_owners(organisation, "review_rejected")
    review_flag_status(flag, FlagStatus.REJECTED, staff)


def _suspend(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    # Imported here: reviews calls this module, and keeps the suspension others call too.
    from accounts.services.reviews import organisation_suspend

    organisation = flag.organisation
    assert organisation is not None
    change = _payment_change_in_review(flag)
    if change is not None:
        payment_change_decline(change=change, actor=staff)  # not the account of a stopped sender
    # The delivery task asks the gate again before each attempt: queued invoices stop too.
    organisation_suspend(staff=staff, organisation=organisation, reason=decision.reason)
    review_flag_status(flag, FlagStatus.REJECTED, staff)
    _mail_owners(organisation, "review_suspended")


def _request_info(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    organisation = flag.organisation
    assert organisation is not None
    review_flag_status(flag, FlagStatus.INFO_REQUESTED)
    # The reason of this decision is the question itself, written for the owners.
    _mail_owners(organisation, "review_question", {"question": decision.reason})


def _transfer(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    # Imported here: partners suspends and reinstates through accounts.services.reviews.
    from accounts.services.partner_connections import partner_connection_end

    registration = flag.registration
    assert registration is not None  # review_decisions_possible offers no transfer otherwise
    # The partner's connection ends, its attestation goes, and it is told by webhook: with a
    # fixed reason, as staff's own reason is written for the file, not for the partner.
    partner_connection_end(registration=registration, actor=staff, reason=TRANSFER_REASON)
    organisation = _organisation_for_number(flag.org_number)
    requester = flag.raised_by
    if organisation is not None and requester is not None:
        _owner_by_transfer(organisation, requester, staff, flag)
    review_flag_status(flag, FlagStatus.APPROVED, staff)
    if requester is not None:
        _mail_requester(requester, "transfer_done", flag, organisation)


def _decline(flag: RiskFlag, decision: ReviewDecision, staff: Any) -> None:
    review_flag_status(flag, FlagStatus.REJECTED, staff)
    if flag.raised_by is not None:
        _mail_requester(flag.raised_by, "transfer_declined", flag, None)


def _organisation_for_number(org_number: str) -> Organisation | None:
    return (
        Organisation.objects.select_for_update()
        .filter(org_number=org_number)
        .exclude(verification_status=OrgStatus.LAPSED)
        .first()
    )


def _owner_by_transfer(
    organisation: Organisation, requester: Any, staff: Any, flag: RiskFlag
) -> None:
    """Make the requester the owner; with no attestation left, they must sign with BankID."""
    if organisation.verification_status in ATTESTED_STATUSES:
        # Defence in depth: nobody sends for the company on the partner's word any more.
        organisation_status_change(
            organisation=organisation,
            status=OrgStatus.UNVERIFIED,
            actor=staff,
            data={"risk_flag": flag.pk},
        )
    membership, _created = Membership.objects.update_or_create(
        user=requester, organisation=organisation, defaults={"role": Membership.Role.OWNER}
    )
    audit_event_record(
        action="transfer.owner_added",
        actor=staff,
        organisation=organisation,
        obj=membership,
        data={"email": requester.email, "risk_flag": flag.pk},
    )


def _payment_change_in_review(flag: RiskFlag) -> PaymentDetailsChange | None:
    if flag.payment_change_id is None:
        return None
    change = PaymentDetailsChange.objects.select_for_update().get(pk=flag.payment_change_id)
    if change.status != PaymentDetailsChange.Status.IN_REVIEW:
        return None
    change.organisation = flag.organisation or change.organisation  # the locked row
    return change


_CARRY_OUT: dict[str, Callable[[RiskFlag, ReviewDecision, Any], None]] = {
    Action.APPROVE: _approve,
    Action.REJECT: _reject,
    Action.SUSPEND: _suspend,
    Action.REQUEST_INFO: _request_info,
    Action.TRANSFER: _transfer,
    Action.DECLINE: _decline,
}


# --- Telling the people concerned ----------------------------------------------------------


def _mail_owners(
    organisation: Organisation, name: str, extra: dict[str, Any] | None = None
) -> None:
    owners = list(
        get_user_model().objects.filter(
            memberships__organisation=organisation, memberships__role=Membership.Role.OWNER
        )
    )
    context = {
        "organisation": organisation,
        "link": settings.SITE_URL + reverse("dashboard"),
        "support_email": settings.SUPPORT_EMAIL,
        **(extra or {}),
    }
    mail_users_on_commit(f"accounts/email/{name}", context, owners)


def _mail_requester(
    requester: Any, name: str, flag: RiskFlag, organisation: Organisation | None
) -> None:
    # With an organisation the requester now owns, the next step is signing; without, creating it.
    next_step = "signing:verify" if organisation is not None else "accounts:onboarding"
    context = {
        "flag": flag,
        "organisation": organisation,
        "link": settings.SITE_URL + reverse(next_step),
        "support_email": settings.SUPPORT_EMAIL,
    }
    mail_users_on_commit(f"accounts/email/{name}", context, [requester])
