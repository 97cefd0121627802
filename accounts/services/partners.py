"""Partner integrations: the partners, their keys, and suspending a partner with all of its
organisations (reinstating it lifts only the suspensions its own suspension made).

What a partner connects is in accounts.services.partner_connections.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import errors
from accounts import errors_partners as partner_errors
from accounts.models import (
    NetworkRegistration,
    Organisation,
    PartnerIntegration,
    PartnerKey,
)
from accounts.services.audit import audit_event_record
from accounts.tokens import key_new, key_prefix, key_used, secret_hash

KEY_PREFIX = "efp"  # an organisation's key starts "efk": the authentication tells them apart
OrgStatus = Organisation.VerificationStatus


# --- Partners and their keys ---------------------------------------------------------------


def partner_create(
    *,
    name: str,
    webhook_url: str = "",
    kind: str = PartnerIntegration.Kind.ERP,
    contact_email: str = "",
    actor: Any = None,
) -> PartnerIntegration:
    """Register a partner integration with a new secret to sign its webhooks."""
    # Imported here: integrations builds on accounts, not the other way round.
    from integrations.services import webhook_secret_new, webhook_url_check

    if webhook_url:
        webhook_url_check(webhook_url)  # before the transaction: it may wait for DNS
    with transaction.atomic():
        partner = PartnerIntegration(
            name=name,
            kind=kind,
            contact_email=contact_email,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret_new(),
        )
        partner.full_clean()
        partner.save()
        audit_event_record(
            action="partner.created",
            actor=actor,
            obj=partner,
            data={"partner": partner.pk, "name": name, "kind": kind, "webhook_url": webhook_url},
        )
    return partner


@transaction.atomic
def partner_key_create(
    *, partner: PartnerIntegration, name: str, actor: Any = None
) -> tuple[PartnerKey, str]:
    """Create a key for the partner; return it and the key itself, which is not kept."""
    prefix, key = key_new(KEY_PREFIX)
    partner_key = PartnerKey(
        partner=partner,
        name=name,
        prefix=prefix,
        key_hash=secret_hash(key),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    partner_key.full_clean()
    partner_key.save()
    audit_event_record(
        action="partner_key.created",
        actor=actor,
        obj=partner_key,
        data={"partner": partner.pk, "name": name, "prefix": prefix},
    )
    return partner_key, key


@transaction.atomic
def partner_key_revoke(*, partner_key: PartnerKey, actor: Any) -> PartnerKey:
    """Revoke a partner key: the next request made with it is refused."""
    partner_key = PartnerKey.objects.select_for_update().get(pk=partner_key.pk)
    if partner_key.revoked_at is not None:
        raise errors.ApiKeyRevoked
    partner_key.revoked_at = timezone.now()
    partner_key.save(update_fields=["revoked_at"])
    audit_event_record(
        action="partner_key.revoked",
        actor=actor,
        obj=partner_key,
        data={"partner": partner_key.partner_id, "prefix": partner_key.prefix},
    )
    return partner_key


def partner_key_authenticate(key: str) -> PartnerKey | None:
    """Return the active partner key the request presents, or None; note its last use."""
    prefix = key_prefix(key, KEY_PREFIX)
    if prefix is None:
        return None
    partner_key = (
        PartnerKey.objects.active()
        .filter(partner__is_active=True, prefix=prefix, key_hash=secret_hash(key))
        .select_related("partner")
        .first()
    )
    if partner_key is not None:
        key_used(partner_key)
    return partner_key


# --- Suspending a partner --------------------------------------------------------------------


@transaction.atomic
def partner_suspend(*, staff: Any, partner: PartnerIntegration, reason: str) -> PartnerIntegration:
    """Stop sending by all of the partner's organisations at once, queued invoices included.

    Its keys keep reading; it can neither connect organisations nor end connections until
    it is reinstated. An organisation staff had already suspended is left as it is.
    """
    # Imported here: reviews decides transfers with partner_connection_end.
    from accounts.services.reviews import organisation_suspend

    partner = PartnerIntegration.objects.select_for_update().get(pk=partner.pk)
    if partner.is_suspended:
        raise partner_errors.PartnerAlreadySuspended
    now = timezone.now()
    partner.suspended_at = now
    partner.save(update_fields=["suspended_at"])
    suspended = 0
    for registration in _live_registrations(partner):
        assert registration.organisation is not None
        if registration.organisation.verification_status == OrgStatus.SUSPENDED:
            continue  # staff's own suspension: the partner's reinstatement must not lift it
        organisation_suspend(
            staff=staff,
            organisation=registration.organisation,
            reason=f"Partner {partner.name} suspended: {reason}",
        )
        registration.partner_suspended_at = now
        registration.save(update_fields=["partner_suspended_at"])
        suspended += 1
    audit_event_record(
        action="partner.suspended",
        actor=staff,
        obj=partner,
        data={"partner": partner.pk, "reason": reason, "organisations_suspended": suspended},
    )
    return partner


@transaction.atomic
def partner_reinstate(*, staff: Any, partner: PartnerIntegration) -> PartnerIntegration:
    """Lift the partner's suspension and the organisation suspensions it made, nothing more."""
    from accounts.services.reviews import organisation_reinstate

    partner = PartnerIntegration.objects.select_for_update().get(pk=partner.pk)
    if not partner.is_suspended:
        raise partner_errors.PartnerNotSuspended
    reinstated = 0
    for registration in _live_registrations(partner).filter(partner_suspended_at__isnull=False):
        assert registration.organisation is not None
        if registration.organisation.verification_status == OrgStatus.SUSPENDED:
            organisation_reinstate(staff=staff, organisation=registration.organisation)
            reinstated += 1
        registration.partner_suspended_at = None
        registration.save(update_fields=["partner_suspended_at"])
    partner.suspended_at = None
    partner.save(update_fields=["suspended_at"])
    audit_event_record(
        action="partner.reinstated",
        actor=staff,
        obj=partner,
        data={"partner": partner.pk, "organisations_reinstated": reinstated},
    )
    return partner


def _live_registrations(partner: PartnerIntegration) -> Any:
    return (
        NetworkRegistration.objects.select_for_update(of=("self",))
        .filter(partner=partner, ended_at__isnull=True, organisation__isnull=False)
        .select_related("organisation")
        .order_by("pk")
    )
