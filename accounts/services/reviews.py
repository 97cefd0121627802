"""Staff decisions on risk flags, owners' answers, transfer requests, suspension.

A flag offers only decisions that change something (accounts.selectors.review_decisions_offered);
any other decision is refused, so no click in the workspace is without effect. Every decision
carries the reason staff wrote, and is audited with it. Suspending an organisation that was
verified, and transferring a number away from a partner, take four eyes: the first decision
waits, and nothing happens until another staff user confirms it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import errors, selectors
from accounts.models import (
    AuditEvent,
    Membership,
    Organisation,
    Permission,
    ReviewDecision,
    RiskFlag,
    RiskFlagAnswer,
)
from accounts.services.audit import audit_event_record
from accounts.services.flags import risk_flag_raise, risk_flag_reason
from accounts.services.organisations import organisation_status_change
from accounts.services.review_effects import review_carry_out, review_flag_status

OrgStatus = Organisation.VerificationStatus
Kind = RiskFlag.Kind


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def transfer_request_create(
    *, user: Any, org_number: str, reason: str = "", ip_address: str | None = None
) -> RiskFlag:
    """Record the user's request to move a partner-held org number to the web service."""
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is None:
        # Nothing holds the number (any more): the user can simply create the organisation.
        raise errors.NothingToTransfer
    if RiskFlag.objects.filter(
        kind=Kind.TRANSFER_REQUEST, org_number=org_number, status__in=RiskFlag.ACTIVE
    ).exists():
        raise errors.TransferAlreadyRequested
    partner = claim.registration.partner.name
    case = risk_flag_raise(
        kind=Kind.TRANSFER_REQUEST,
        org_number=org_number,
        raised_by=user,
        reason=risk_flag_reason(
            _(
                "%(email)s asks to move organisation number %(org_number)s, held today by "
                "the partner %(partner)s, to the web service."
            ),
            email=user.email,
            org_number=org_number,
            partner=partner,
        ),
        evidence={
            "requested_by": user.email,
            "partner": partner,
            "registered_at": claim.registration.registered_at.isoformat(),
            "company_name": claim.registration.company_name,
            "message": reason,
        },
        registration=claim.registration,
        # The partner's organisation, when it connected one: staff see what it has sent.
        organisation=claim.registration.organisation,
    )
    audit_event_record(
        action="transfer.requested",
        actor=user,
        organisation=claim.registration.organisation,
        obj=case,
        data={"org_number": org_number, "partner": claim.registration.partner.name},
        ip_address=ip_address,
    )
    return case


# --- Staff decisions ---------------------------------------------------------------------

Action = ReviewDecision.Action
FlagStatus = RiskFlag.Status
REVIEW_PERMISSION = "accounts.review_riskflag"
# The statuses a decision can be taken in; a flag awaiting a second review waits for it.
DECIDABLE = (FlagStatus.OPEN, FlagStatus.INFO_REQUESTED)


@transaction.atomic
def staff_concern_raise(*, staff: Any, organisation: Organisation, reason: str) -> RiskFlag:
    """Open a flag on an organisation for a concern staff have (a tip, a bank's warning).

    It is decided like any other flag: suspending a verified organisation still waits for
    a second reviewer, so opening a flag is no way round the four eyes.
    """
    _require_reviewer(staff)
    reason = _require_reason(reason)
    flag = risk_flag_raise(
        kind=Kind.STAFF_CONCERN,
        org_number=organisation.org_number,
        organisation=organisation,
        reason=reason,
        evidence={"raised_by": staff.email},
        raised_by=staff,
    )
    audit_event_record(
        action="review.concern_raised",
        actor=staff,
        organisation=organisation,
        obj=flag,
        data={"reason": reason},
    )
    return flag


def _require_reviewer(staff: Any) -> None:
    # The workspace checks this too; the service is the rule, whatever calls it.
    allowed = staff.is_active and staff.is_staff and staff.has_perm(REVIEW_PERMISSION)
    if not allowed:
        raise errors.ReviewNotAllowed


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise errors.ReasonRequired
    return reason


def _lock_flag(flag: RiskFlag) -> RiskFlag:
    """Lock the flag's organisation, then the flag: the order every writer takes them in."""
    organisation_id = RiskFlag.objects.values_list("organisation_id", flat=True).get(pk=flag.pk)
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    locked = (
        RiskFlag.objects.select_for_update(of=("self",))
        .select_related("payment_change", "registration", "raised_by")
        .get(pk=flag.pk)
    )
    locked.organisation = organisation
    return locked


def _needs_second_reviewer(flag: RiskFlag, action: str) -> bool:
    # Stopping a business that was verified, and moving a number away from a partner, are
    # the decisions a single person must not be able to take alone.
    if action == Action.TRANSFER:
        return True
    return action == Action.SUSPEND and selectors.organisation_was_verified(
        organisation=flag.organisation
    )


@transaction.atomic
def review_decide(*, staff: Any, flag: RiskFlag, action: str, reason: str) -> ReviewDecision:
    """Decide a flag with a written reason; a four-eyes decision waits for a second reviewer."""
    _require_reviewer(staff)
    reason = _require_reason(reason)
    flag = _lock_flag(flag)
    if flag.status == FlagStatus.AWAITING_SECOND_REVIEW:
        raise errors.DecisionAwaitingSecond
    if flag.status not in DECIDABLE:
        raise errors.FlagDecided
    if action not in selectors.review_decisions_offered(flag=flag):
        raise errors.DecisionNotOffered
    waits = _needs_second_reviewer(flag, action)
    decision = ReviewDecision(
        flag=flag,
        action=action,
        reason=reason,
        decided_by=staff,
        status=ReviewDecision.Status.AWAITING_SECOND if waits else ReviewDecision.Status.DONE,
    )
    decision.full_clean()
    decision.save()
    _audit(decision, "review.awaiting_second" if waits else "review.decided", staff, reason)
    if waits:
        review_flag_status(flag, FlagStatus.AWAITING_SECOND_REVIEW)
    else:
        review_carry_out(flag=flag, decision=decision, staff=staff)
    return decision


@transaction.atomic
def review_confirm(*, staff: Any, decision: ReviewDecision, reason: str) -> ReviewDecision:
    """Carry out a decision that waits for four eyes; only another staff user may confirm."""
    _require_reviewer(staff)
    reason = _require_reason(reason)
    flag, decision = _lock_awaiting(staff, decision)
    # The state may have moved since the first decision (a takeover, a reinstatement).
    if decision.action not in selectors.review_decisions_possible(flag=flag):
        raise errors.DecisionNotOffered
    _second_review(decision, staff, reason, ReviewDecision.Status.DONE)
    _audit(decision, "review.confirmed", staff, reason)
    review_carry_out(flag=flag, decision=decision, staff=staff)
    return decision


@transaction.atomic
def review_turn_down(*, staff: Any, decision: ReviewDecision, reason: str) -> ReviewDecision:
    """Cancel a decision that waits for four eyes; the flag is open for a new decision."""
    _require_reviewer(staff)
    reason = _require_reason(reason)
    flag, decision = _lock_awaiting(staff, decision)
    _second_review(decision, staff, reason, ReviewDecision.Status.CANCELLED)
    _audit(decision, "review.turned_down", staff, reason)
    review_flag_status(flag, FlagStatus.OPEN)
    return decision


def _lock_awaiting(staff: Any, decision: ReviewDecision) -> tuple[RiskFlag, ReviewDecision]:
    flag = _lock_flag(decision.flag)
    decision = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
    decision.flag = flag
    if decision.status != ReviewDecision.Status.AWAITING_SECOND:
        raise errors.DecisionNotAwaiting
    if flag.status != FlagStatus.AWAITING_SECOND_REVIEW:
        raise errors.FlagDecided  # events closed the flag meanwhile
    # By user id: the same person in another session or browser is still one pair of eyes.
    if decision.decided_by_id == staff.pk:
        raise errors.SameReviewer
    return flag, decision


def _second_review(decision: ReviewDecision, staff: Any, reason: str, status: str) -> None:
    decision.status = status
    decision.second_reviewer = staff
    decision.second_reviewed_at = timezone.now()
    decision.second_reason = reason
    decision.full_clean()
    decision.save(
        update_fields=["status", "second_reviewer", "second_reviewed_at", "second_reason"]
    )


def _audit(decision: ReviewDecision, action: str, staff: Any, reason: str) -> None:
    flag = decision.flag
    audit_event_record(
        action=action,
        actor=staff,
        organisation=flag.organisation,
        obj=decision,
        data={
            "flag": flag.pk,
            "kind": flag.kind,
            "org_number": flag.org_number,
            "decision": decision.action,
            "reason": reason,
        },
    )


# --- The owners' answer to a question ------------------------------------------------------


@transaction.atomic
def risk_flag_answer(*, membership: Membership, flag: RiskFlag, text: str) -> RiskFlagAnswer:
    """Store an owner's answer to the staff's question; the flag is open for staff again."""
    if not membership.can(Permission.MANAGE_ORGANISATION):
        raise errors.AnswerNotAllowed
    text = (text or "").strip()
    if not text:
        raise errors.AnswerRequired
    flag = _lock_flag(flag)
    # The flag must be this organisation's: a member of another one never reaches it.
    if flag.organisation_id != membership.organisation_id:
        raise errors.NoQuestionOpen
    if flag.status != FlagStatus.INFO_REQUESTED:
        raise errors.NoQuestionOpen
    question = (
        flag.decisions.filter(action=Action.REQUEST_INFO, status=ReviewDecision.Status.DONE)
        .order_by("-created_at", "-id")
        .first()
    )
    if question is None:
        raise errors.NoQuestionOpen
    answer = RiskFlagAnswer(flag=flag, question=question, answered_by=membership.user, text=text)
    answer.full_clean()
    answer.save()
    review_flag_status(flag, FlagStatus.OPEN)
    audit_event_record(
        action="review.info_answered",
        actor=membership.user,
        organisation=flag.organisation,
        obj=answer,
        data={"flag": flag.pk, "kind": flag.kind, "question": question.pk, "answer": text},
    )
    return answer


@transaction.atomic
def organisation_suspend(*, staff: Any, organisation: Organisation, reason: str) -> Organisation:
    """Stop all sending by the organisation, queued invoices included."""
    organisation = _lock(organisation)
    if organisation.verification_status == OrgStatus.SUSPENDED:
        return organisation
    return organisation_status_change(
        organisation=organisation,
        status=OrgStatus.SUSPENDED,
        actor=staff,
        data={"reason": reason},
    )


@transaction.atomic
def organisation_reinstate(*, staff: Any, organisation: Organisation) -> Organisation:
    """Lift a suspension: the organisation returns to the status it was suspended from."""
    organisation = _lock(organisation)
    if organisation.verification_status != OrgStatus.SUSPENDED:
        raise errors.StatusChangeNotAllowed
    suspension = (
        AuditEvent.objects.filter(organisation=organisation, action="organisation.suspended")
        .order_by("-created_at", "-id")
        .first()
    )
    previous = suspension.data.get("previous") if suspension else None
    organisation.verification_status = previous or OrgStatus.UNVERIFIED
    organisation.save(update_fields=["verification_status"])
    _status_event_record(organisation)
    audit_event_record(
        action="organisation.reinstated",
        actor=staff,
        organisation=organisation,
        obj=organisation,
        data={"status": organisation.verification_status},
    )
    return organisation


def _status_event_record(organisation: Organisation) -> None:
    # Imported here: integrations builds on accounts, not the other way round.
    from integrations.services import organisation_status_event_record

    organisation_status_event_record(organisation=organisation)
