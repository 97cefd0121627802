"""Changes of the payment account after a signature: requested, confirmed, applied or declined.

A new Bankgiro, Plusgiro or IBAN on a signed organisation is where invoice fraud
happens, so it never takes effect on request: it waits as a PaymentDetailsChange
until a user confirms it with BankID (signing.services) and, when that user is not
one of the register's signatories, until staff approve it. Invoices keep the signed
account meanwhile, and sending never stops for it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import errors
from accounts.mail import send_templated_mail
from accounts.models import (
    PAYMENT_FIELDS,
    Membership,
    Organisation,
    PaymentDetailsChange,
    RiskFlag,
)
from accounts.services.audit import audit_event_record
from accounts.services.flags import risk_flag_close, risk_flag_raise, risk_flag_reason

ChangeStatus = PaymentDetailsChange.Status
OrgStatus = Organisation.VerificationStatus


ACCOUNT_LABELS = (("Bankgiro", "bankgiro"), ("Plusgiro", "plusgiro"), ("IBAN", "iban"))


def payment_account_text(account: dict[str, Any]) -> str:
    """Return a payment account as people read it, e.g. "Bankgiro 5050-1055"."""
    parts = [f"{label} {account[name]}" for label, name in ACCOUNT_LABELS if account.get(name)]
    return ", ".join(parts) or "-"


def payment_details(organisation: Organisation) -> dict[str, str]:
    """Return the payment account invoices carry now."""
    return {name: getattr(organisation, name) for name in PAYMENT_FIELDS}


def payment_change_request(
    *,
    actor: Any,
    organisation: Organisation,
    proposed: dict[str, str],
    ip_address: str | None = None,
) -> PaymentDetailsChange | None:
    """Hold a new payment account until it is confirmed; None when nothing would change.

    The caller holds the organisation's row lock. A newer request replaces an open one.
    """
    previous = payment_details(organisation)
    proposed = {**previous, **proposed}
    if proposed == previous:
        return None
    if organisation.verification_status not in (OrgStatus.VERIFIED, OrgStatus.PENDING_REVIEW):
        raise errors.PaymentChangeNotAllowed
    _validate_account(organisation, proposed)
    for open_change in organisation.payment_changes.filter(status__in=PaymentDetailsChange.OPEN):
        _close(open_change, ChangeStatus.WITHDRAWN, actor=actor)
    change = PaymentDetailsChange(
        organisation=organisation, requested_by=actor, previous=previous, proposed=proposed
    )
    change.full_clean()
    change.save()
    audit_event_record(
        action="payment_change.requested",
        actor=actor,
        organisation=organisation,
        obj=change,
        data={"previous": previous, "proposed": proposed},
        ip_address=ip_address,
    )
    return change


def _validate_account(organisation: Organisation, proposed: dict[str, str]) -> None:
    # The model's validators and constraints judge the account as it would be saved.
    candidate = Organisation(**{**_identity(organisation), **proposed})
    candidate.full_clean(exclude=["org_number"], validate_unique=False)


def _identity(organisation: Organisation) -> dict[str, Any]:
    return {"legal_name": organisation.legal_name, "org_number": organisation.org_number}


@transaction.atomic
def payment_change_withdraw(*, actor: Any, change: PaymentDetailsChange) -> PaymentDetailsChange:
    """Drop a change that has not taken effect; the signed account stays."""
    change = PaymentDetailsChange.objects.select_for_update().get(pk=change.pk)
    if not change.is_open:
        raise errors.PaymentChangeClosed
    return _close(change, ChangeStatus.WITHDRAWN, actor=actor)


def _close(change: PaymentDetailsChange, status: str, *, actor: Any) -> PaymentDetailsChange:
    for flag in change.risk_flags.filter(status__in=RiskFlag.ACTIVE):
        risk_flag_close(flag=flag, actor=actor, reason=f"payment change {status}")
    return _decided(change, status, actor=actor)


def _decided(change: PaymentDetailsChange, status: str, *, actor: Any) -> PaymentDetailsChange:
    change.status = status
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_at"])
    audit_event_record(
        action=f"payment_change.{status}",
        actor=actor,
        organisation=change.organisation,
        obj=change,
        data={"previous": change.previous, "proposed": change.proposed},
    )
    return change


def payment_change_confirmed(
    *,
    change: PaymentDetailsChange,
    signer_is_signatory: bool,
    confirmed_by: Any,
    evidence: dict[str, Any] | None = None,
) -> PaymentDetailsChange:
    """Apply a change a signatory confirmed, or send it to staff; tell the owners either way.

    Runs inside the signing completion's transaction, with the organisation and the
    change locked and the signature verified. `evidence` is what the signature showed
    of the signer (name, masked personal number, the register's answer).
    """
    if signer_is_signatory:
        payment_change_apply(change=change, actor=confirmed_by)
    else:
        change.status = ChangeStatus.IN_REVIEW
        change.save(update_fields=["status"])
        risk_flag_raise(
            kind=RiskFlag.Kind.PAYMENT_DETAILS_CHANGED,
            org_number=change.organisation.org_number,
            organisation=change.organisation,
            payment_change=change,
            raised_by=confirmed_by,
            reason=risk_flag_reason(
                _(
                    "The payment account was changed from %(previous)s to %(proposed)s and "
                    "confirmed with BankID by someone who is not an authorised signatory in "
                    "the company register. The new account waits for your decision."
                ),
                previous=payment_account_text(change.previous),
                proposed=payment_account_text(change.proposed),
            ),
            evidence={
                **(evidence or {}),
                "previous": change.previous,
                "proposed": change.proposed,
                "signer_is_signatory": False,
            },
        )
    _mail_owners_on_commit(change, confirmed_by=confirmed_by)
    return change


def payment_change_apply(*, change: PaymentDetailsChange, actor: Any) -> PaymentDetailsChange:
    """Make the new account the one invoices carry (the caller holds the locks)."""
    organisation = change.organisation
    if payment_details(organisation) != change.previous:
        # Another change took effect meanwhile: this one no longer describes a step from here.
        raise errors.PaymentChangeStale
    for name, value in change.proposed.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(PAYMENT_FIELDS))
    return _decided(change, ChangeStatus.APPLIED, actor=actor)


def payment_change_decline(*, change: PaymentDetailsChange, actor: Any) -> PaymentDetailsChange:
    """Refuse a change in review: the signed account stays (the caller decides its case)."""
    return _decided(change, ChangeStatus.DECLINED, actor=actor)


def _mail_owners_on_commit(change: PaymentDetailsChange, *, confirmed_by: Any) -> None:
    organisation = change.organisation
    owners = list(
        organisation.memberships.filter(role=Membership.Role.OWNER)
        .exclude(user=confirmed_by)
        .values_list("user__email", flat=True)
    )
    if not owners:
        return
    context = {
        "organisation": organisation,
        "change": change,
        "confirmed_by": confirmed_by,
        "link": settings.SITE_URL + reverse("accounts:settings"),
    }
    transaction.on_commit(
        lambda: send_templated_mail("accounts/email/payment_change", context, owners)
    )
