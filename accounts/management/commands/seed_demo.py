"""Load the demo data (idempotent) and print the logins; --json prints them as one object."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission as AuthPermission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import (
    Membership,
    NetworkRegistration,
    Organisation,
    PartnerIntegration,
    Plan,
    RiskFlag,
)
from accounts.registry import FixtureRegister

Role = Membership.Role
Status = Organisation.VerificationStatus


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    org_number: str | None
    role: str | None
    is_staff: bool = False
    note: str = ""


@dataclass(frozen=True)
class DemoOrganisation:
    org_number: str
    plan: str
    verification_status: str
    bankgiro: str
    # For payers abroad: shown on invoices in another currency or to a buyer outside Sweden.
    iban: str = ""
    bic: str = ""


ORGANISATIONS = [
    DemoOrganisation(
        "559012-3450",
        Plan.PLUS,
        Status.VERIFIED,
        "5050-1055",
        iban="SE4550000000058398257466",
        bic="ESSESESS",
    ),
    DemoOrganisation("559023-4562", Plan.BAS, Status.UNVERIFIED, "5402-9681"),
    # A squatter's unsigned claim of a company's number, for its real signatory to take over.
    DemoOrganisation("559045-6785", Plan.BAS, Status.UNVERIFIED, "123-4566"),
]
USERS = [
    DemoUser("anna@norrsken.example", "demo-anna-2026", "559012-3450", Role.OWNER),
    DemoUser("per@norrsken.example", "demo-per-2026", "559012-3450", Role.MEMBER),
    DemoUser("erik@bergstrom.example", "demo-erik-2026", "559023-4562", Role.OWNER),
    DemoUser("mallory@squatter.example", "demo-mallory-2026", "559045-6785", Role.OWNER),
    DemoUser(
        "sara@fjallgarden.example",
        "demo-sara-2026",
        None,
        None,
        note="Sara Nilsson, signatory of 559045-6785 in the register: takes it over",
    ),
    DemoUser("staff@efaktura.example", "demo-staff-2026", None, None, is_staff=True),
    # Four eyes: a suspension or a transfer one staff member decides, another confirms.
    DemoUser("staff2@efaktura.example", "demo-staff2-2026", None, None, is_staff=True),
]
PARTNER_NAME = "Kontura ERP"
PARTNER_ORG_NUMBER = "556612-3450"
# The squatter's claim came with an address typed in by hand: the demo's flagged organisation.
SQUATTER_ORG_NUMBER = "559045-6785"
SQUATTER_ADDRESS = {
    "street_address": "Drottninggatan 12",
    "postal_code": "111 51",
    "city": "Stockholm",
}


class Command(BaseCommand):
    help = "Load demo organisations, users and a partner integration; print the logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the demo data as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = {user.email: _ensure_user(user) for user in USERS}
            for organisation in ORGANISATIONS:
                _ensure_organisation(organisation, users)
            _ensure_partner()
            _ensure_invoices(users)
            _ensure_reviewers(users)
            _ensure_demo_flag(users)
        summary = _summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(_as_text(summary))


def _ensure_user(demo: DemoUser) -> Any:
    user, _created = get_user_model().objects.get_or_create(
        username=demo.email, defaults={"email": demo.email}
    )
    user.email = demo.email
    user.is_staff = user.is_superuser = demo.is_staff
    # Reset on every run so the printed password always works.
    user.set_password(demo.password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=demo.email, defaults={"verified": True, "primary": True}
    )
    return user


def _ensure_organisation(demo: DemoOrganisation, users: dict[str, Any]) -> None:
    members = [user for user in USERS if user.org_number == demo.org_number]
    organisation = Organisation.objects.filter(org_number=demo.org_number).first()
    if organisation is None:
        record = FixtureRegister().lookup(demo.org_number)
        assert record is not None, f"{demo.org_number} is missing from the fixture register"
        owner = users[members[0].email]
        details = services.OrganisationDetails(
            org_number=record.org_number,
            legal_name=record.legal_name,
            vat_number=f"SE{record.org_number.replace('-', '')}01",
            street_address=record.street_address,
            postal_code=record.postal_code,
            city=record.city,
            registered_office=record.registered_office,
            contact_email=owner.email,
            bankgiro=demo.bankgiro,
            iban=demo.iban,
            bic=demo.bic,
            has_f_skatt=record.has_f_skatt,
        )
        organisation = services.organisation_create(user=owner, details=details, record=record)
        services.organisation_change_plan(actor=owner, organisation=organisation, plan=demo.plan)
        services.organisation_update(
            actor=owner,
            organisation=organisation,
            changes={"late_payment_interest": "Dröjsmålsränta enligt räntelagen"},
        )
        if demo.verification_status == Status.VERIFIED:
            # The demo starts with one organisation already past its one-time signature.
            Organisation.objects.filter(pk=organisation.pk).update(
                verification_status=Status.VERIFIED, verified_at=timezone.now()
            )
            services.audit_event_record(
                action="organisation.verified",
                organisation=organisation,
                obj=organisation,
                data={"source": "seed_demo"},
            )
    for member in members[1:]:
        Membership.objects.get_or_create(
            organisation=organisation, user=users[member.email], defaults={"role": member.role}
        )


def _ensure_invoices(users: dict[str, Any]) -> None:
    # The verified organisation gets customers and invoices to look at from the first login.
    from invoices.demo import seed_customers, seed_invoices

    owner = users[USERS[0].email]
    organisation = Organisation.objects.get(org_number=ORGANISATIONS[0].org_number)
    seed_invoices(organisation=organisation, user=owner)
    unverified = Organisation.objects.get(org_number=ORGANISATIONS[1].org_number)
    seed_customers(organisation=unverified, user=users["erik@bergstrom.example"])


def _ensure_partner() -> None:
    partner, _created = PartnerIntegration.objects.get_or_create(
        name=PARTNER_NAME,
        defaults={"kind": PartnerIntegration.Kind.ERP, "contact_email": "support@kontura.example"},
    )
    record = FixtureRegister().lookup(PARTNER_ORG_NUMBER)
    NetworkRegistration.objects.get_or_create(
        org_number=PARTNER_ORG_NUMBER,
        ended_at=None,
        defaults={"partner": partner, "company_name": record.legal_name if record else ""},
    )


def _ensure_reviewers(users: dict[str, Any]) -> None:
    # The review workspace asks for this permission by name, superuser or not.
    permission = AuthPermission.objects.get(
        codename="review_riskflag", content_type__app_label="accounts"
    )
    for demo in USERS:
        if demo.is_staff:
            users[demo.email].user_permissions.add(permission)


def _ensure_demo_flag(users: dict[str, Any]) -> None:
    """Flag the squatter's claim, whose address was typed in by hand, for the review demo."""
    if RiskFlag.objects.filter(org_number=SQUATTER_ORG_NUMBER).exists():
        return  # raised on an earlier run, and perhaps decided since: once is enough
    organisation = Organisation.objects.get(org_number=SQUATTER_ORG_NUMBER)
    if organisation.verification_status != Status.UNVERIFIED:
        return  # the company's signatory took the number over meanwhile
    owner = users["mallory@squatter.example"]
    manual = {**SQUATTER_ADDRESS, "details_source": Organisation.DetailsSource.MANUAL}
    services.organisation_update(actor=owner, organisation=organisation, changes=manual)
    services.risk_flag_raise(
        kind=RiskFlag.Kind.MANUAL_DETAILS,
        org_number=organisation.org_number,
        organisation=organisation,
        raised_by=owner,
        reason=services.risk_flag_reason(
            _(
                "The details of %(company)s (%(org_number)s) were entered by hand instead of "
                "taken from the company register."
            ),
            company=organisation.legal_name,
            org_number=organisation.org_number,
        ),
        evidence={"details_source": "manual", "fields_typed": sorted(SQUATTER_ADDRESS)},
    )


def _summary() -> dict[str, list[dict[str, Any]]]:
    organisations = Organisation.objects.filter(
        org_number__in=[o.org_number for o in ORGANISATIONS]
    ).order_by("org_number")
    partners = PartnerIntegration.objects.filter(name=PARTNER_NAME)
    return {
        "organisations": [
            {
                "org_number": o.org_number,
                "name": o.legal_name,
                "verification_status": o.verification_status,
                "plan": o.plan,
            }
            for o in organisations
        ],
        "users": [
            {
                "email": u.email,
                "password": u.password,
                "org_number": u.org_number,
                "role": u.role,
                "is_staff": u.is_staff,
                "note": u.note,
            }
            for u in USERS
        ],
        "partners": [
            {
                "name": p.name,
                "org_numbers": sorted(r.org_number for r in p.registrations.filter(ended_at=None)),
            }
            for p in partners
        ],
    }


def _as_text(summary: dict[str, list[dict[str, Any]]]) -> str:
    lines = ["Demo organisations:"]
    lines += [
        f"  {o['org_number']}  {o['name']}  ({o['plan']}, {o['verification_status']})"
        for o in summary["organisations"]
    ]
    lines.append("Demo logins (e-mail / password):")
    for user in summary["users"]:
        where = user["note"] or (
            "staff (two-factor set-up on first login)"
            if user["is_staff"]
            else (f"{user['role']} of {user['org_number']}")
        )
        lines.append(f"  {user['email']:<26} {user['password']:<18} {where}")
    lines += [
        f"Partner integration: {p['name']} holds {', '.join(p['org_numbers'])}"
        for p in summary["partners"]
    ]
    return "\n".join(lines) + "\n"
