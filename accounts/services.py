"""Every write that matters in accounts: organisations, members, invitations, reviews, audit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import errors, selectors
from accounts.mail import send_templated_mail
from accounts.models import (
    AuditEvent,
    Invitation,
    JoinRequest,
    Membership,
    NetworkRegistration,
    Organisation,
    Plan,
    ReviewCase,
)
from accounts.numbers import is_sole_trader_number
from accounts.registry import CompanyRecord

INVITATION_LIFETIME = timedelta(days=7)
Role = Membership.Role


@dataclass(frozen=True)
class OrganisationDetails:
    """Validated, normalised company details as entered or confirmed by the user."""

    org_number: str
    legal_name: str
    vat_number: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    contact_email: str = ""
    bankgiro: str = ""
    plusgiro: str = ""
    iban: str = ""
    bic: str = ""
    has_f_skatt: bool = False


# --- Audit --------------------------------------------------------------------------


def audit_event_record(
    *,
    action: str,
    actor: Any = None,
    organisation: Organisation | None = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {},
        ip_address=ip_address,
    )


# --- Organisations --------------------------------------------------------------------


def _ensure_claimable(org_number: str) -> None:
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is not None:
        raise errors.OrganisationNumberTaken(claim.registration)
    if claim.organisation is not None:
        raise errors.OrganisationExists(claim.organisation)


@transaction.atomic
def organisation_create(
    *,
    user: Any,
    details: OrganisationDetails,
    record: CompanyRecord | None,
    ip_address: str | None = None,
) -> Organisation:
    """Create an unverified organisation with the user as owner.

    `record` is the register's entry the user confirmed, or None when the details
    were entered by hand (a risk signal the signing step takes into account).
    """
    _ensure_claimable(details.org_number)
    organisation = Organisation(
        **asdict(details),
        is_sole_trader=is_sole_trader_number(details.org_number),
        details_source=(
            Organisation.DetailsSource.REGISTER if record else Organisation.DetailsSource.MANUAL
        ),
    )
    organisation.full_clean()
    try:
        # A concurrent claim of the same number hits the unique constraint, not a second row.
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        _ensure_claimable(details.org_number)
        raise
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    audit_event_record(
        action="organisation.created",
        actor=user,
        organisation=organisation,
        obj=organisation,
        data={"org_number": organisation.org_number, "source": organisation.details_source},
        ip_address=ip_address,
    )
    return organisation


PAYMENT_FIELDS = ("bankgiro", "plusgiro", "iban", "bic")


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    changes: dict[str, Any],
    ip_address: str | None = None,
) -> Organisation:
    """Change contact and payment details; flag a payment change on a verified organisation.

    A changed payment account on a verified sender is a known invoice-fraud pattern,
    so it opens a review case for staff instead of passing silently.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: getattr(organisation, name) for name in changes}
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(changes))
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if changed:
        audit_event_record(
            action="organisation.updated",
            actor=actor,
            organisation=organisation,
            obj=organisation,
            data={"fields": sorted(changed)},
            ip_address=ip_address,
        )
    if organisation.is_verified and set(changed) & set(PAYMENT_FIELDS):
        review_case_open(
            kind=ReviewCase.Kind.RISK_FLAG,
            organisation=organisation,
            org_number=organisation.org_number,
            requested_by=actor,
            reason="Payment account changed after verification",
        )
    return organisation


@transaction.atomic
def organisation_change_plan(*, actor: Any, organisation: Organisation, plan: str) -> Organisation:
    """Move the organisation between Web Bas and Web Plus."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if plan == organisation.plan:
        return organisation
    if plan == Plan.BAS and organisation.memberships.count() > 1:
        raise errors.PlanDowngradeBlocked
    organisation.plan = plan
    organisation.full_clean()
    organisation.save(update_fields=["plan"])
    audit_event_record(
        action="organisation.plan_changed",
        actor=actor,
        organisation=organisation,
        obj=organisation,
        data={"plan": plan},
    )
    return organisation


# --- Seats, memberships -----------------------------------------------------------------


def _ensure_seat_free(organisation: Organisation) -> None:
    """Raise SeatLimitReached when the plan has no room for one more user.

    Callers hold a lock on the organisation row, so two approvals cannot both
    take the last seat.
    """
    limit = organisation.seat_limit
    if limit is None:
        return
    used = organisation.memberships.count()
    if used >= limit:
        raise errors.SeatLimitReached


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _add_member(*, organisation: Organisation, user: Any, role: str) -> Membership:
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise errors.AlreadyMember
    _ensure_seat_free(organisation)
    membership = Membership(organisation=organisation, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


def _owner_count(organisation: Organisation) -> int:
    return organisation.memberships.filter(role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    """Give a member another role; only owners touch the owner role, one owner always stays."""
    _lock(membership.organisation)
    touches_owner = Role.OWNER in (role, membership.role)
    if touches_owner and actor.role != Role.OWNER:
        raise errors.RoleNotAllowed
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(membership.organisation) == 1
    ):
        raise errors.LastOwner
    previous = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_event_record(
        action="membership.role_changed",
        actor=actor.user,
        organisation=membership.organisation,
        obj=membership,
        data={"user": membership.user.email, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Remove a member from the organisation."""
    _lock(membership.organisation)
    if membership.role == Role.OWNER:
        if actor.role != Role.OWNER:
            raise errors.RoleNotAllowed
        if _owner_count(membership.organisation) == 1:
            raise errors.LastOwner
    audit_event_record(
        action="membership.removed",
        actor=actor.user,
        organisation=membership.organisation,
        obj=membership,
        data={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


# --- Invitations -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, actor: Membership, email: str, role: str, base_url: str = ""
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; return the invitation and the one-time token sent to them."""
    organisation = _lock(actor.organisation)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise errors.RoleNotAllowed
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise errors.AlreadyMember(_already_member_message(email))
    _ensure_seat_free(organisation)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email.lower(),
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    audit_event_record(
        action="invitation.created",
        actor=actor.user,
        organisation=organisation,
        obj=invitation,
        data={"email": invitation.email, "role": role},
    )
    link = (base_url or settings.SITE_URL) + reverse("accounts:invitation_accept", args=[token])
    transaction.on_commit(lambda: _send_invitation_mail(invitation, link))
    return invitation, token


def _already_member_message(email: str) -> str:
    from django.utils.translation import gettext

    return gettext("%(email)s is already a member of this organisation.") % {"email": email}


def _send_invitation_mail(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link}
    send_templated_mail("accounts/email/invitation", context, [invitation.email])


def invitation_for_token(token: str) -> Invitation:
    """Return the open, unexpired invitation for a token, or raise InvitationInvalid."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_open or invitation.expires_at <= timezone.now():
        raise errors.InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(*, user: Any, token: str) -> Membership:
    """Join the inviting organisation with the invited role."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise errors.InvitationInvalid
    if invitation.email.lower() != user.email.lower():
        raise errors.InvitationForAnotherEmail
    organisation = _lock(invitation.organisation)
    membership = _add_member(organisation=organisation, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_event_record(
        action="invitation.accepted",
        actor=user,
        organisation=organisation,
        obj=invitation,
        data={"email": invitation.email, "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    """Withdraw an open invitation so its link stops working."""
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_event_record(
        action="invitation.revoked",
        actor=actor.user,
        organisation=actor.organisation,
        obj=invitation,
        data={"email": invitation.email},
    )


# --- Join requests -----------------------------------------------------------------------


@transaction.atomic
def join_request_create(*, user: Any, organisation: Organisation, message: str = "") -> JoinRequest:
    """Ask the owners of an existing organisation to let the user in."""
    if organisation.memberships.filter(user=user).exists():
        raise errors.AlreadyMember
    if organisation.join_requests.filter(user=user, status=JoinRequest.Status.PENDING).exists():
        raise errors.JoinRequestPending
    join_request = JoinRequest(organisation=organisation, user=user, message=message)
    join_request.full_clean()
    join_request.save()
    audit_event_record(
        action="join_request.created",
        actor=user,
        organisation=organisation,
        obj=join_request,
        data={"email": user.email},
    )
    managers = list(
        organisation.memberships.filter(role__in=[Role.OWNER, Role.ADMIN]).values_list(
            "user__email", flat=True
        )
    )
    link = settings.SITE_URL + reverse("accounts:members")
    context = {"join_request": join_request, "organisation": organisation, "link": link}
    transaction.on_commit(
        lambda: send_templated_mail("accounts/email/join_request", context, managers)
    )
    return join_request


@transaction.atomic
def join_request_decide(
    *, actor: Membership, join_request: JoinRequest, approve: bool, role: str = Role.MEMBER
) -> JoinRequest:
    """Approve (the user becomes a member) or decline a pending join request."""
    organisation = _lock(join_request.organisation)
    if approve:
        if role == Role.OWNER and actor.role != Role.OWNER:
            raise errors.RoleNotAllowed
        _add_member(organisation=organisation, user=join_request.user, role=role)
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor.user
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_event_record(
        action=f"join_request.{join_request.status}",
        actor=actor.user,
        organisation=organisation,
        obj=join_request,
        data={"email": join_request.user.email, "role": role},
    )
    return join_request


# --- Review cases: transfer requests and risk flags ---------------------------------------


def review_case_open(
    *,
    kind: str,
    org_number: str,
    requested_by: Any,
    reason: str,
    organisation: Organisation | None = None,
    registration: Any = None,
) -> ReviewCase:
    """Open a case for staff; an open case of the same kind and number is reused."""
    existing = ReviewCase.objects.filter(
        kind=kind, org_number=org_number, status=ReviewCase.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    case = ReviewCase(
        kind=kind,
        org_number=org_number,
        requested_by=requested_by,
        reason=reason,
        organisation=organisation,
        registration=registration,
    )
    case.full_clean()
    case.save()
    audit_event_record(
        action=f"review_case.opened.{kind}",
        actor=requested_by,
        organisation=organisation,
        obj=case,
        data={"org_number": org_number, "reason": reason},
    )
    return case


@transaction.atomic
def transfer_request_create(
    *, user: Any, org_number: str, reason: str = "", ip_address: str | None = None
) -> ReviewCase:
    """Record the user's request to move a partner-held org number to the web service."""
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is None:
        # Nothing holds the number (any more): the user can simply create the organisation.
        raise errors.NothingToTransfer
    if ReviewCase.objects.filter(
        kind=ReviewCase.Kind.TRANSFER_REQUEST,
        org_number=org_number,
        status=ReviewCase.Status.OPEN,
    ).exists():
        raise errors.TransferAlreadyRequested
    case = review_case_open(
        kind=ReviewCase.Kind.TRANSFER_REQUEST,
        org_number=org_number,
        requested_by=user,
        reason=reason or "Transfer to the web service requested",
        registration=claim.registration,
    )
    audit_event_record(
        action="transfer.requested",
        actor=user,
        obj=case,
        data={"org_number": org_number, "partner": claim.registration.partner.name},
        ip_address=ip_address,
    )
    return case


# --- Staff decisions ---------------------------------------------------------------------

OrgStatus = Organisation.VerificationStatus


@transaction.atomic
def review_case_decide(*, staff: Any, case: ReviewCase, approve: bool) -> ReviewCase:
    """Decide a case: a risk flag verifies or rejects; a transfer ends the partner's hold."""
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if case.status != ReviewCase.Status.OPEN:
        raise errors.CaseClosed
    if case.kind == ReviewCase.Kind.RISK_FLAG and case.organisation is not None:
        _decide_risk_flag(case.organisation, approve=approve)
    registration = case.registration
    if case.kind == ReviewCase.Kind.TRANSFER_REQUEST and approve and registration is not None:
        # The partner's connection ends here; telling the partner (webhook) comes with its API.
        NetworkRegistration.objects.filter(pk=registration.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
    case.status = ReviewCase.Status.APPROVED if approve else ReviewCase.Status.DECLINED
    case.resolved_by = staff
    case.resolved_at = timezone.now()
    case.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit_event_record(
        action=f"review_case.{case.status}",
        actor=staff,
        organisation=case.organisation,
        obj=case,
        data={"kind": case.kind, "org_number": case.org_number},
    )
    return case


def _decide_risk_flag(organisation: Organisation, *, approve: bool) -> None:
    organisation = _lock(organisation)
    if organisation.verification_status != OrgStatus.PENDING_REVIEW:
        return  # already moved on (e.g. suspended meanwhile): the case closes without effect
    organisation.verification_status = OrgStatus.VERIFIED if approve else OrgStatus.REJECTED
    organisation.verified_at = timezone.now() if approve else None
    organisation.save(update_fields=["verification_status", "verified_at"])


@transaction.atomic
def organisation_suspend(*, staff: Any, organisation: Organisation, reason: str) -> Organisation:
    """Stop all sending by the organisation, queued invoices included."""
    organisation = _lock(organisation)
    if organisation.verification_status == OrgStatus.SUSPENDED:
        return organisation
    previous = organisation.verification_status
    organisation.verification_status = OrgStatus.SUSPENDED
    organisation.save(update_fields=["verification_status"])
    audit_event_record(
        action="organisation.suspended",
        actor=staff,
        organisation=organisation,
        obj=organisation,
        data={"reason": reason, "previous": previous},
    )
    return organisation


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
    audit_event_record(
        action="organisation.reinstated",
        actor=staff,
        organisation=organisation,
        obj=organisation,
        data={"status": organisation.verification_status},
    )
    return organisation
