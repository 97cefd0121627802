"""Registering organisations, their details and plan, and lapsing claims nobody signed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import errors, selectors
from accounts.models import PAYMENT_FIELDS, Membership, Organisation, PaymentDetailsChange, Plan
from accounts.numbers import is_sole_trader_number
from accounts.registry import CompanyRecord
from accounts.services.audit import audit_event_record
from accounts.services.payments import payment_change_request

Role = Membership.Role
OrgStatus = Organisation.VerificationStatus
# Statuses of a claim that no signature covers yet.
UNSIGNED_STATUSES = (OrgStatus.UNVERIFIED, OrgStatus.DETAILS_CONFIRMED)
# Signing orders BankID may still complete (the values of SigningOrder's statuses).
RUNNING_ORDER_STATUSES = ("starting", "pending")


@dataclass(frozen=True)
class OrganisationDetails:
    """Validated, normalised company details as entered or confirmed by the user."""

    org_number: str
    legal_name: str
    vat_number: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    registered_office: str = ""
    contact_email: str = ""
    bankgiro: str = ""
    plusgiro: str = ""
    iban: str = ""
    bic: str = ""
    has_f_skatt: bool = False


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


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    changes: dict[str, Any],
    ip_address: str | None = None,
) -> PaymentDetailsChange | None:
    """Save contact and address details; hold back a new payment account once signed.

    After a signature the payment account that invoices carry changes only through a
    confirmed PaymentDetailsChange, returned here for the user to confirm with BankID.
    """
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    payment = {name: changes.pop(name) for name in PAYMENT_FIELDS if name in changes}
    change = None
    if organisation.has_signed:
        change = payment_change_request(
            actor=actor, organisation=organisation, proposed=payment, ip_address=ip_address
        )
    else:
        changes.update(payment)
    before = {name: getattr(organisation, name) for name in changes}
    for name, value in changes.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(changes))
    changed = sorted(name for name, value in changes.items() if before[name] != value)
    if changed:
        audit_event_record(
            action="organisation.updated",
            actor=actor,
            organisation=organisation,
            obj=organisation,
            data={"fields": changed},
            ip_address=ip_address,
        )
    return change


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


@transaction.atomic
def organisation_claims_lapse(*, now: datetime | None = None) -> int:
    """Free the numbers of organisations that nobody signed for within the claim period.

    Registering a number is open to anyone, so an unsigned claim must not hold a
    company's number indefinitely; its members keep their drafts, the number goes free.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.UNSIGNED_CLAIM_DAYS)
    lapsed = 0
    for organisation in (
        Organisation.objects.select_for_update(skip_locked=True)
        .filter(verification_status__in=UNSIGNED_STATUSES, claimed_at__lt=cutoff)
        .exclude(signing_orders__status__in=RUNNING_ORDER_STATUSES)
    ):
        organisation_status_change(
            organisation=organisation,
            status=OrgStatus.LAPSED,
            actor=None,
            data={"days": settings.UNSIGNED_CLAIM_DAYS},
        )
        lapsed += 1
    return lapsed


def organisation_status_change(
    *, organisation: Organisation, status: str, actor: Any, data: dict[str, Any]
) -> Organisation:
    """Move a locked organisation to another status and audit it with the one it left."""
    # Imported here: integrations builds on accounts, not the other way round.
    from integrations.services import organisation_status_event_record

    previous = organisation.verification_status
    organisation.verification_status = status
    fields = ["verification_status"]
    if status == OrgStatus.UNVERIFIED:
        # A claim starts over (e.g. a partner's connection ended): so does its time to sign.
        organisation.claimed_at = timezone.now()
        fields.append("claimed_at")
    organisation.save(update_fields=fields)
    organisation_status_event_record(organisation=organisation)
    audit_event_record(
        action=f"organisation.{status}",
        actor=actor,
        organisation=organisation,
        obj=organisation,
        data={**data, "previous": previous},
    )
    return organisation
