"""A partner's connections: an organisation it connects on its attestation, and the end of one.

A partner (an ERP vendor with an integration agreement) answers for who its customers are,
so an organisation it connects may send without a BankID signature: the attestation is
recorded as evidence and the organisation becomes verified through the same status service
a signature uses, so a risk flag can still hold it. Ending the connection takes the
attestation away and tells the partner by a signed webhook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import errors_partners as partner_errors
from accounts import selectors
from accounts.errors_partners import HOLDER_PARTNER, HOLDER_WEB
from accounts.models import (
    NetworkRegistration,
    Organisation,
    PartnerAttestation,
    PartnerIntegration,
    PartnerKey,
)
from accounts.numbers import is_sole_trader_number, vat_number_for
from accounts.registry import CompanyRecord, RegisterUnavailable, company_register
from accounts.services.audit import audit_event_record
from accounts.services.organisations import UNSIGNED_STATUSES, organisation_status_change

OrgStatus = Organisation.VerificationStatus
# What a partner may set when it connects an organisation; the rest comes from the register.
CONNECT_FIELDS = ("contact_email", "bankgiro", "plusgiro", "iban", "bic")
# Statuses the partner's attestation (or its suspension) put the organisation in: when the
# connection ends, the organisation goes back to unverified from these. A suspension or
# rejection staff decided for the organisation itself stays.
ATTESTED_STATUSES = (OrgStatus.VERIFIED, OrgStatus.PENDING_REVIEW)


# --- Connecting an organisation ------------------------------------------------------------


@dataclass(frozen=True)
class PartnerConnection:
    """An organisation the partner acts for; `created` is False when it already did."""

    organisation: Organisation
    registration: NetworkRegistration
    created: bool


def partner_organisation_connect(
    *,
    partner_key: PartnerKey,
    org_number: str,
    details: Mapping[str, str] | None = None,
    ip_address: str | None = None,
) -> PartnerConnection:
    """Connect the organisation with the number for the partner, on its attestation.

    The details come from the company register (`details` may add a contact address and
    the payment account, CONNECT_FIELDS); the number becomes held by the partner and the
    organisation may send at once, unless a risk flag holds it.
    """
    if partner_key.partner.is_suspended:
        raise partner_errors.PartnerSuspended
    _claim_for(partner_key.partner, org_number)  # a taken number needs no register lookup
    try:
        record = company_register().lookup(org_number)  # outside the transaction: HTTP
    except RegisterUnavailable:
        raise partner_errors.RegisterDown from None
    if record is None:
        raise partner_errors.NotInRegister
    return _connect(partner_key, record, dict(details or {}), ip_address)


@transaction.atomic
def _connect(
    partner_key: PartnerKey, record: CompanyRecord, details: dict[str, str], ip_address: str | None
) -> PartnerConnection:
    # Locked: a suspension that runs meanwhile either sees this organisation or comes first.
    partner = PartnerIntegration.objects.select_for_update().get(pk=partner_key.partner_id)
    if partner.is_suspended:
        raise partner_errors.PartnerSuspended
    registration, organisation = _claim_for(partner, record.org_number)
    if registration is not None and registration.organisation is not None:
        return PartnerConnection(registration.organisation, registration, created=False)
    organisation = _organisation_save(organisation, record, details, partner, partner_key)
    registration = _registration_save(registration, partner, organisation)
    attestation = PartnerAttestation.objects.create(
        organisation=organisation,
        partner=partner,
        partner_key=partner_key,
        registration=registration,
        attested_details=_attested_details(organisation),
        ip_address=ip_address,
    )
    audit_event_record(
        action="partner.organisation_connected",
        organisation=organisation,
        obj=attestation,
        data={
            "partner": partner.pk,
            "partner_key": partner_key.prefix,
            "org_number": organisation.org_number,
            "registration": registration.pk,
        },
        ip_address=ip_address,
    )
    _attest(organisation, attestation, record)
    return PartnerConnection(organisation, registration, created=True)


def _claim_for(
    partner: PartnerIntegration, org_number: str
) -> tuple[NetworkRegistration | None, Organisation | None]:
    """Return the partner's own registration of the number and the organisation row it may
    connect (either may be None); raise when the web service or another partner holds it."""
    claim = selectors.org_number_claim(org_number=org_number)
    registration = claim.registration
    if registration is not None and registration.partner_id != partner.pk:
        raise partner_errors.NumberHeldElsewhere(HOLDER_PARTNER)
    if registration is not None and registration.organisation is not None:
        return registration, registration.organisation
    if claim.organisation is not None and not _reusable(claim.organisation):
        raise partner_errors.NumberHeldElsewhere(HOLDER_WEB)
    return registration, claim.organisation


def _reusable(organisation: Organisation) -> bool:
    """Whether a partner may connect an organisation row that already has the number.

    Only a former partner's: no members, connected by a partner before, and no signature
    or staff decision stands on it. Everything else is the web service's (409 "web").
    """
    return (
        organisation.verification_status in UNSIGNED_STATUSES
        and not organisation.memberships.exists()
        and organisation.network_registrations.exists()
    )


def _organisation_save(
    organisation: Organisation | None,
    record: CompanyRecord,
    details: dict[str, str],
    partner: PartnerIntegration,
    partner_key: PartnerKey,
) -> Organisation:
    """Create the organisation from the register's record (or refresh a former partner's)."""
    created = organisation is None
    organisation = organisation or Organisation(org_number=record.org_number)
    fields = {
        "legal_name": record.legal_name,
        "vat_number": vat_number_for(record.org_number),
        "street_address": record.street_address,
        "postal_code": record.postal_code,
        "city": record.city,
        "registered_office": record.registered_office,
        "has_f_skatt": record.has_f_skatt,
        "is_sole_trader": is_sole_trader_number(record.org_number),
        "details_source": Organisation.DetailsSource.REGISTER,
        **{name: details.get(name, "") for name in CONNECT_FIELDS},
    }
    for name, value in fields.items():
        setattr(organisation, name, value)
    # The live-number constraint is the database's to enforce: a concurrent claim loses there.
    organisation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        _raise_held_elsewhere(record.org_number, partner)
        raise
    if created:
        audit_event_record(
            action="organisation.created",
            organisation=organisation,
            obj=organisation,
            data={
                "org_number": organisation.org_number,
                "source": organisation.details_source,
                "partner": partner.pk,
                "partner_key": partner_key.prefix,
            },
        )
    return organisation


def _registration_save(
    registration: NetworkRegistration | None,
    partner: PartnerIntegration,
    organisation: Organisation,
) -> NetworkRegistration:
    """Hold the number for the partner, linked to the organisation it acts for."""
    if registration is not None:
        # A number the partner held before the partner API (typed in by staff): link it.
        registration.organisation = organisation
        registration.company_name = organisation.legal_name
        registration.save(update_fields=["organisation", "company_name"])
        return registration
    registration = NetworkRegistration(
        partner=partner,
        org_number=organisation.org_number,
        company_name=organisation.legal_name,
        organisation=organisation,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        _raise_held_elsewhere(organisation.org_number, partner)
        raise
    return registration


def _raise_held_elsewhere(org_number: str, partner: PartnerIntegration) -> None:
    """Raise for the holder that won a race for the number (nothing: the caller re-raises)."""
    claim = selectors.org_number_claim(org_number=org_number)
    if claim.registration is not None and claim.registration.partner_id != partner.pk:
        raise partner_errors.NumberHeldElsewhere(HOLDER_PARTNER)
    if claim.organisation is not None:
        raise partner_errors.NumberHeldElsewhere(HOLDER_WEB)


def _attested_details(organisation: Organisation) -> dict[str, Any]:
    names = ("org_number", "legal_name", "vat_number", "street_address", "postal_code", "city")
    return {name: getattr(organisation, name) for name in (*names, *CONNECT_FIELDS)}


def _attest(
    organisation: Organisation, attestation: PartnerAttestation, record: CompanyRecord
) -> None:
    """Let the organisation send on the attestation, through the status service signing uses.

    Risk flags hook in here: a flag that holds sending (the register says the company is
    not active) moves the organisation on to pending_review, as after a BankID signature.
    """
    organisation.verified_at = timezone.now()
    organisation.save(update_fields=["verified_at"])
    organisation_status_change(
        organisation=organisation,
        status=OrgStatus.VERIFIED,
        actor=None,
        data={"partner": attestation.partner_id, "attestation": attestation.pk},
    )
    if not record.is_active:
        _flag_register_inactive(organisation, attestation, record)


def _flag_register_inactive(
    organisation: Organisation, attestation: PartnerAttestation, record: CompanyRecord
) -> None:
    # Imported here: signing builds on accounts (the finding's text is signing's own).
    from accounts.services.flags import risk_flag_raise
    from signing.services.risk import register_inactive_finding

    evidence = {"partner": attestation.partner_id, "attestation": attestation.pk}
    finding = register_inactive_finding(organisation, record, evidence)
    risk_flag_raise(
        kind=finding.kind,
        org_number=organisation.org_number,
        organisation=organisation,
        registration=attestation.registration,
        reason=finding.reason,
        evidence=finding.evidence,
    )


# --- Ending a connection ---------------------------------------------------------------------


@transaction.atomic
def partner_connection_end(
    *, registration: NetworkRegistration, actor: Any, reason: str
) -> NetworkRegistration:
    """End the partner's connection: the organisation loses the attestation and may no
    longer send; the partner is told with a signed `partner.connection_ended` webhook.

    `actor` is the staff member who decided (a transfer), or None when the partner itself
    ends it through the API (the audit log names its key).
    """
    registration = (
        NetworkRegistration.objects.select_for_update()
        .select_related("partner")
        .get(pk=registration.pk)
    )
    if registration.ended_at is not None:
        raise partner_errors.ConnectionAlreadyEnded
    registration.ended_at = timezone.now()
    registration.end_reason = reason[:500]
    registration.save(update_fields=["ended_at", "end_reason"])
    organisation = registration.organisation
    if organisation is not None:
        organisation = _attestation_withdraw(organisation, registration, actor, reason)
        _webhooks_stop(organisation, actor)
    audit_event_record(
        action="partner.connection_ended",
        actor=actor,
        organisation=organisation,
        obj=registration,
        data={
            "partner": registration.partner_id,
            "org_number": registration.org_number,
            "reason": reason,
        },
    )
    if organisation is not None:
        _tell_partner(registration, organisation, reason)
    return registration


def partner_organisation_disconnect(
    *, partner_key: PartnerKey, registration: NetworkRegistration
) -> NetworkRegistration:
    """End a connection at the partner's own request (a suspended partner may not)."""
    partner = PartnerIntegration.objects.get(pk=partner_key.partner_id)
    if partner.is_suspended:
        # Staff decide what happens to the organisations of a suspended partner.
        raise partner_errors.PartnerSuspended
    return partner_connection_end(
        registration=registration, actor=None, reason="Ended by the partner"
    )


def _attestation_withdraw(
    organisation: Organisation, registration: NetworkRegistration, actor: Any, reason: str
) -> Organisation:
    """Take the partner's attestation away: back to unverified, unless staff's own
    suspension or rejection stands on the organisation."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    status = organisation.verification_status
    by_partner_suspension = (
        status == OrgStatus.SUSPENDED and registration.partner_suspended_at is not None
    )
    if status not in ATTESTED_STATUSES and not by_partner_suspension:
        return organisation
    organisation.verified_at = None
    organisation.save(update_fields=["verified_at"])
    return organisation_status_change(
        organisation=organisation,
        status=OrgStatus.UNVERIFIED,
        actor=actor,
        data={"reason": reason, "partner": registration.partner_id, "attestation_withdrawn": True},
    )


def _webhooks_stop(organisation: Organisation, actor: Any) -> None:
    """Stop the organisation's webhooks: they carry its events to the partner that left.

    A partner's organisation has no members and so no keys of its own: every subscription
    on it was made by a partner.
    """
    from integrations.models import WebhookSubscription
    from integrations.services import webhook_unsubscribe

    live = WebhookSubscription.objects.filter(organisation=organisation, deleted_at__isnull=True)
    for subscription in live:
        webhook_unsubscribe(subscription=subscription, user=actor)


def _tell_partner(
    registration: NetworkRegistration, organisation: Organisation, reason: str
) -> None:
    from integrations.models import PartnerEventType
    from integrations.services import partner_event_record

    assert registration.ended_at is not None
    ended_at = registration.ended_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    partner_event_record(
        partner=registration.partner,
        organisation=organisation,
        type=PartnerEventType.CONNECTION_ENDED,
        data={"org_number": registration.org_number, "reason": reason, "ended_at": ended_at},
    )
