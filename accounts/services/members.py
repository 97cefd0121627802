"""Seats, memberships, invitations and join requests."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import errors
from accounts.mail import send_templated_mail
from accounts.models import Invitation, JoinRequest, Membership, Organisation, Permission
from accounts.services.api_keys import api_keys_revoke_for
from accounts.services.audit import audit_event_record
from accounts.tokens import secret_hash

INVITATION_LIFETIME = timedelta(days=7)
Role = Membership.Role


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
    if not membership.can(Permission.MANAGE_API_KEYS):
        # A key acts with its maker's rights; a maker who may no longer hold keys keeps none.
        api_keys_revoke_for(
            organisation=membership.organisation,
            actor=actor.user,
            user=membership.user,
            reason=f"role changed to {role}",
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
    api_keys_revoke_for(
        organisation=membership.organisation,
        actor=actor.user,
        user=membership.user,
        reason="member removed",
    )
    membership.delete()


# --- Invitations -----------------------------------------------------------------------


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
        token_hash=secret_hash(token),
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
        .filter(token_hash=secret_hash(token))
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
    context = {"organisation": organisation, "approved": approve, "link": settings.SITE_URL}
    recipients = [join_request.user.email]
    transaction.on_commit(
        lambda: send_templated_mail("accounts/email/join_request_decided", context, recipients)
    )
    return join_request


def _webhooks_stop(organisation: Organisation) -> None:
    # The earlier members' ERP must not go on hearing about the company's invoices.
    from integrations.models import WebhookSubscription  # integrations builds on accounts
    from integrations.services import webhook_unsubscribe

    for subscription in WebhookSubscription.objects.filter(
        organisation=organisation, deleted_at__isnull=True
    ):
        webhook_unsubscribe(subscription=subscription, user=None)


def members_displace(*, organisation: Organisation, new_owner: Any) -> list[str]:
    """Make the company's signatory the sole owner; earlier members must be let back in.

    Whoever registered the number before the signatory may be a squatter, so nobody
    keeps access by default: each earlier member gets a pending join request that the
    new owner can approve with one click. The caller holds the organisation's lock.
    """
    displaced = list(organisation.memberships.exclude(user=new_owner).select_related("user"))
    api_keys_revoke_for(organisation=organisation, reason="taken over by the signatory")
    _webhooks_stop(organisation)
    for membership in displaced:
        JoinRequest.objects.get_or_create(
            organisation=organisation,
            user=membership.user,
            status=JoinRequest.Status.PENDING,
            defaults={"displaced_from_role": membership.role},
        )
        audit_event_record(
            action="membership.displaced",
            organisation=organisation,
            obj=membership,
            data={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()
    Membership.objects.update_or_create(
        organisation=organisation, user=new_owner, defaults={"role": Role.OWNER}
    )
    organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    emails = [membership.user.email for membership in displaced]
    context = {"organisation": organisation, "link": settings.SITE_URL}
    transaction.on_commit(lambda: send_templated_mail("accounts/email/displaced", context, emails))
    return emails
