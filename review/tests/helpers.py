"""Builders for the review tests: reviewers signed in as staff must be, flags, evidence."""

from __future__ import annotations

import base64
import hashlib
import uuid
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, RiskFlag
from accounts.numbers import mask_personal_number
from accounts.services import risk_flag_raise
from accounts.tests.factories import UserFactory
from accounts.tests.staff import TOTP_SECRET, totp_logged_in
from signing.models import Purpose, SignatureEvidence, SigningOrder
from signing.pki import issue_user_certificate, load_or_create_test_pki
from signing.services.evidence import personal_number_hash
from signing.signature import build_ocsp_response, build_signature

# Sara Nilsson is Fjällgården Turism AB's signatory in the fixture register.
SARA = {"personal_number": "199206304421", "given_name": "Sara", "surname": "Nilsson"}
PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def staff(email: str, *, permission: bool = True) -> Any:
    """Create a staff user (not a superuser) with a TOTP authenticator and the permission."""
    user = UserFactory(email=email)
    user.is_staff = True
    user.save()
    if permission:
        user.user_permissions.add(
            Permission.objects.get(codename="review_riskflag", content_type__app_label="accounts")
        )
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    return user


def signed_in(user: Any, *, english: bool = True) -> Client:
    """Log the user in through allauth with password and TOTP code, as staff must."""
    # Each login spends the current TOTP code; a later session of the same user would come
    # with the next period's code. Forget the spent ones so a test can open several sessions.
    cache.clear()
    client = totp_logged_in(user)
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def raise_flag(
    organisation: Organisation | None,
    kind: str = RiskFlag.Kind.MANUAL_DETAILS,
    *,
    org_number: str | None = None,
    reason: str = "Uppgifterna skrevs in för hand.",
    **extra: Any,
) -> RiskFlag:
    """Raise a flag through the service, as the situation would."""
    number = org_number or (organisation.org_number if organisation else "")
    return risk_flag_raise(
        kind=kind,
        org_number=number,
        reason=reason,
        evidence=extra.pop("evidence", {"details_source": "manual"}),
        organisation=organisation,
        **extra,
    )


def signed_evidence(
    organisation: Organisation, user: Any, *, person: dict[str, str] = SARA
) -> SignatureEvidence:
    """Store evidence of a real signature by the simulator's PKI (trusted in the tests)."""
    pki = load_or_create_test_pki(Path(settings.BANKID_SIMULATOR_DIR))
    cert, key = issue_user_certificate(
        pki,
        personal_number=person["personal_number"],
        given_name=person["given_name"],
        surname=person["surname"],
    )
    visible = base64.b64encode(f"Jag intygar uppgifterna om {organisation}".encode()).decode()
    digest = hashlib.sha256(organisation.org_number.encode()).hexdigest()
    non_visible = base64.b64encode(bytes.fromhex(digest)).decode()
    signature = build_signature(
        user_cert=cert,
        user_key=key,
        chain=[pki.customer_ca_cert, pki.bank_ca_cert],
        func_id="Signing",
        user_visible_data=visible,
        user_non_visible_data=non_visible,
        rp_name="cn=e-faktura demo RP,name=e-faktura demo,serialNumber=5590000005",
        rp_display_name="e-faktura demo",
        uhi="OZvYM9VvyiAmG7NA5jU5zqGcVpo=",
    )
    ocsp = build_ocsp_response(
        user_cert=cert,
        issuer_cert=pki.customer_ca_cert,
        responder_cert=pki.ocsp_cert,
        responder_key=pki.ocsp_key,
        signature_b64=signature,
    )
    order = SigningOrder.objects.create(
        organisation=organisation,
        user=user,
        status=SigningOrder.Status.COMPLETE,
        order_ref=str(uuid.uuid4()),
        details={"org_number": organisation.org_number},
        details_digest=digest,
        user_visible_data=visible,
        user_non_visible_data=non_visible,
        end_user_ip="192.0.2.10",
    )
    name = f"{person['given_name']} {person['surname']}"
    return SignatureEvidence.objects.create(
        organisation=organisation,
        order=order,
        purpose=Purpose.VERIFICATION,
        signer_name=name,
        personal_number_masked=mask_personal_number(person["personal_number"]),
        personal_number_hash=personal_number_hash(person["personal_number"]),
        is_registered_signatory=True,
        signed_details=order.details,
        details_digest=digest,
        user_visible_data=visible,
        user_non_visible_data=non_visible,
        signature=signature,
        ocsp_response=ocsp,
        completion_data={"user": {"personalNumber": person["personal_number"], "name": name}},
        ip_address="192.0.2.10",
        signed_at=timezone.now(),
    )
