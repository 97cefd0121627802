"""Reads that cross relations or decide visibility; each takes the tenant or the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from accounts.models import (
    ApiKey,
    AuditEvent,
    Invitation,
    JoinRequest,
    Membership,
    NetworkRegistration,
    Organisation,
    PaymentDetailsChange,
    ReviewDecision,
    RiskFlag,
)

ModelT = TypeVar("ModelT", bound=Model)


def membership_list_for_user(*, user: Any) -> QuerySet[Membership]:
    """Return the user's memberships with their organisations, for the switcher."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )


def membership_current(*, user: Any, organisation_id: int | None) -> Membership | None:
    """Return the membership for the organisation chosen in the session, else the user's first."""
    memberships = membership_list_for_user(user=user)
    if organisation_id is not None:
        chosen = memberships.filter(organisation_id=organisation_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    """Return the organisation's members, owners first."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("created_at")
    )


def membership_get(*, organisation: Organisation, pk: int) -> Membership:
    """Return one membership of the organisation, or 404."""
    return _get_or_404(membership_list(organisation=organisation), pk=pk)


def invitation_list_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Return invitations not yet accepted or revoked."""
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    """Return one open invitation of the organisation, or 404."""
    return _get_or_404(invitation_list_open(organisation=organisation), pk=pk)


def join_request_list_pending(*, organisation: Organisation) -> QuerySet[JoinRequest]:
    """Return the join requests waiting for an owner's decision."""
    return JoinRequest.objects.filter(
        organisation=organisation, status=JoinRequest.Status.PENDING
    ).select_related("user")


def join_request_list_waiting_for(*, user: Any) -> QuerySet[JoinRequest]:
    """Return the user's own join requests that no owner has decided yet."""
    return JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).select_related(
        "organisation"
    )


def join_request_get(*, organisation: Organisation, pk: int) -> JoinRequest:
    """Return one pending join request of the organisation, or 404."""
    return _get_or_404(join_request_list_pending(organisation=organisation), pk=pk)


def audit_event_list(*, organisation: Organisation) -> QuerySet[AuditEvent]:
    """Return the organisation's audit trail, newest first."""
    return AuditEvent.objects.filter(organisation=organisation).select_related("actor")


@dataclass(frozen=True)
class OrgNumberClaim:
    """Who, if anyone, already holds an org number in the network."""

    organisation: Organisation | None = None
    registration: NetworkRegistration | None = None

    @property
    def is_free(self) -> bool:
        return self.organisation is None and self.registration is None


def org_number_claim(*, org_number: str) -> OrgNumberClaim:
    """Return whether the org number is free, a portal organisation's, or a partner's."""
    registration = (
        NetworkRegistration.objects.filter(org_number=org_number, ended_at__isnull=True)
        .select_related("partner")
        .first()
    )
    organisation = (
        Organisation.objects.filter(org_number=org_number)
        .exclude(verification_status=Organisation.VerificationStatus.LAPSED)
        .first()
    )
    return OrgNumberClaim(organisation=organisation, registration=registration)


def _get_or_404(queryset: QuerySet[ModelT], **lookup: Any) -> ModelT:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def user_has_totp(*, user: Any) -> bool:
    """Return whether the user has an active TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


def transfer_requested(*, org_number: str) -> bool:
    """Return whether a transfer of the org number is already waiting for staff."""
    return RiskFlag.objects.filter(
        kind=RiskFlag.Kind.TRANSFER_REQUEST, org_number=org_number, status__in=RiskFlag.ACTIVE
    ).exists()


# An unverified holder does not lock the company out: its signatory may take the number over.
TAKEOVER_STATUSES = frozenset(
    {
        Organisation.VerificationStatus.UNVERIFIED,
        Organisation.VerificationStatus.DETAILS_CONFIRMED,
        Organisation.VerificationStatus.PENDING_REVIEW,
    }
)


def organisation_can_be_taken_over(*, organisation: Organisation) -> bool:
    """Return whether a signatory of the company may take this organisation over."""
    # A verified organisation that a risk flag holds is still its owners': only staff decide.
    was_verified = organisation.verified_at is not None
    return organisation.verification_status in TAKEOVER_STATUSES and not was_verified


def payment_change_open(*, organisation: Organisation) -> PaymentDetailsChange | None:
    """Return the organisation's change of payment account that has not taken effect yet."""
    return (
        PaymentDetailsChange.objects.filter(
            organisation=organisation, status__in=PaymentDetailsChange.OPEN
        )
        .select_related("requested_by")
        .first()
    )


def payment_change_get(*, organisation: Organisation, public_id: Any) -> PaymentDetailsChange:
    """Return one of the organisation's open payment changes, or 404."""
    return _get_or_404(
        PaymentDetailsChange.objects.filter(
            organisation=organisation, status__in=PaymentDetailsChange.OPEN
        ),
        public_id=public_id,
    )


# --- Review decisions ----------------------------------------------------------------------

Action = ReviewDecision.Action
# Statuses in which an organisation sends nothing: decide its flags after a reinstatement.
STOPPED_STATUSES = frozenset(
    {
        Organisation.VerificationStatus.SUSPENDED,
        Organisation.VerificationStatus.REJECTED,
        Organisation.VerificationStatus.LAPSED,
    }
)


def organisation_was_verified(*, organisation: Organisation | None) -> bool:
    """Return whether the organisation could send, or could until a flag held it."""
    if organisation is None:
        return False
    status = organisation.verification_status
    held = status == Organisation.VerificationStatus.PENDING_REVIEW
    return status == Organisation.VerificationStatus.VERIFIED or (
        held and organisation.verified_at is not None
    )


def review_decisions_offered(*, flag: RiskFlag) -> list[str]:
    """Return the decisions staff may take on the flag now: only those that change something."""
    if flag.status not in (RiskFlag.Status.OPEN, RiskFlag.Status.INFO_REQUESTED):
        return []  # decided, closed, or a decision waits for its second reviewer
    offered = review_decisions_possible(flag=flag)
    if flag.status == RiskFlag.Status.OPEN and offered and _has_owners(flag.organisation):
        offered.append(Action.REQUEST_INFO)
    return offered


def review_decisions_possible(*, flag: RiskFlag) -> list[str]:
    """Return the decisions that would change something in the flag's situation, whatever
    the flag's own status (a decision waiting for four eyes is checked again with it)."""
    if flag.kind == RiskFlag.Kind.TRANSFER_REQUEST:
        registration = flag.registration
        held = registration is not None and registration.ended_at is None
        return [Action.TRANSFER, Action.DECLINE] if held else [Action.DECLINE.value]
    organisation = flag.organisation
    if organisation is None or organisation.verification_status in STOPPED_STATUSES:
        return []
    was_verified = organisation_was_verified(organisation=organisation)
    if flag.kind == RiskFlag.Kind.PAYMENT_DETAILS_CHANGED:
        change = flag.payment_change
        in_review = change is not None and change.status == PaymentDetailsChange.Status.IN_REVIEW
        possible: list[str] = [Action.APPROVE, Action.REJECT] if in_review else []
    else:
        # Rejecting stops an organisation that never sent; one that did is suspended, with
        # four eyes, so "reject" must not be a way round the second reviewer.
        possible = [Action.APPROVE] if was_verified else [Action.APPROVE, Action.REJECT]
    if was_verified:
        possible.append(Action.SUSPEND)
    return possible


def _has_owners(organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.memberships.filter(
        role=Membership.Role.OWNER
    ).exists()


def review_decision_awaiting(*, flag: RiskFlag) -> ReviewDecision | None:
    """Return the decision on the flag that waits for a second reviewer, if any."""
    if flag.status != RiskFlag.Status.AWAITING_SECOND_REVIEW:
        return None
    return (
        ReviewDecision.objects.filter(flag=flag, status=ReviewDecision.Status.AWAITING_SECOND)
        .select_related("decided_by")
        .first()
    )


def review_questions_open(*, organisation: Organisation) -> list[ReviewDecision]:
    """Return the questions staff asked the organisation that wait for its answer."""
    asked = (
        ReviewDecision.objects.filter(
            flag__organisation=organisation,
            flag__status=RiskFlag.Status.INFO_REQUESTED,
            action=Action.REQUEST_INFO,
            status=ReviewDecision.Status.DONE,
        )
        .select_related("flag")
        .order_by("flag_id", "-created_at", "-id")
    )
    latest: dict[int, ReviewDecision] = {}
    for question in asked:
        latest.setdefault(question.flag_id, question)
    return list(latest.values())


def review_question_get(*, organisation: Organisation, pk: int) -> RiskFlag:
    """Return the organisation's flag that waits for its answer, or 404."""
    return _get_or_404(
        RiskFlag.objects.filter(
            organisation=organisation, status=RiskFlag.Status.INFO_REQUESTED
        ),
        pk=pk,
    )


def risk_flags_holding(
    *, organisation: Organisation, exclude: RiskFlag | None = None
) -> list[RiskFlag]:
    """Return the organisation's undecided flags that hold its sending."""
    flags = RiskFlag.objects.filter(
        organisation=organisation, status__in=RiskFlag.ACTIVE, holds_sending=True
    )
    if exclude is not None:
        flags = flags.exclude(pk=exclude.pk)
    return list(flags)


def api_key_list(*, organisation: Organisation) -> QuerySet[ApiKey]:
    """Return the organisation's API keys, revoked ones included (they are its history)."""
    return ApiKey.objects.filter(organisation=organisation).select_related("created_by")


def api_key_get(*, organisation: Organisation, pk: int) -> ApiKey:
    """Return one API key of the organisation, or 404."""
    return _get_or_404(api_key_list(organisation=organisation), pk=pk)
