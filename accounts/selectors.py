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
    ReviewCase,
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
    return ReviewCase.objects.filter(
        kind=ReviewCase.Kind.TRANSFER_REQUEST,
        org_number=org_number,
        status=ReviewCase.Status.OPEN,
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
    return organisation.verification_status in TAKEOVER_STATUSES


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


def review_case_decisions(*, case: ReviewCase) -> frozenset[str]:
    """Return the decisions ("approve", "decline") that would change something now."""
    both = frozenset({"approve", "decline"})
    if case.status != ReviewCase.Status.OPEN:
        return frozenset()
    organisation = case.organisation
    if case.kind == ReviewCase.Kind.RISK_FLAG:
        pending = organisation is not None and organisation.verification_status == (
            Organisation.VerificationStatus.PENDING_REVIEW
        )
        return both if pending else frozenset()
    if case.kind == ReviewCase.Kind.PAYMENT_CHANGE:
        change = case.payment_change
        in_review = change is not None and change.status == PaymentDetailsChange.Status.IN_REVIEW
        return both if in_review else frozenset()
    if case.kind == ReviewCase.Kind.TAKEOVER:
        suspended = organisation is not None and organisation.verification_status == (
            Organisation.VerificationStatus.SUSPENDED
        )
        return frozenset({"approve"}) if suspended else both
    return both


def api_key_list(*, organisation: Organisation) -> QuerySet[ApiKey]:
    """Return the organisation's API keys, revoked ones included (they are its history)."""
    return ApiKey.objects.filter(organisation=organisation).select_related("created_by")


def api_key_get(*, organisation: Organisation, pk: int) -> ApiKey:
    """Return one API key of the organisation, or 404."""
    return _get_or_404(api_key_list(organisation=organisation), pk=pk)
