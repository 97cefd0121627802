"""One screen per flag: the organisation beside the register, evidence, members and their
sign-ins, invoices and deliveries, earlier flags, and the audit trail, without a query per row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, Membership, Organisation, RiskFlag
from accounts.registry import company_register
from accounts.services import risk_flag_close
from accounts.tests.factories import PASSWORD, MembershipFactory
from invoices import services as invoice_services
from invoices.tests.factories import issued
from review.tests.helpers import PAGE, raise_flag, signed_evidence

pytestmark = pytest.mark.django_db


def case_page(client: Client, flag: RiskFlag) -> str:
    response = client.get(reverse("review:case", args=[flag.pk]), headers=PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_the_organisation_stands_beside_the_register_with_the_difference_marked(
    reviewer_client: Client, flag: RiskFlag
) -> None:
    body = case_page(reviewer_client, flag)
    assert "Fjällgården Turism AB" in body
    assert "Drottninggatan 12" in body  # the portal's
    assert "Fjällvägen 8" in body  # the register's
    differing = re.findall(r'<tr class="differs">\s*<th scope="row">([^<]+)', body)
    assert [label.strip() for label in differing] == ["Street address"]
    assert "1 detail differs from the register" in body
    assert "Sara Nilsson" in body and "19920630-XXXX" in body  # the register's signatory
    assert "199206304421" not in body


def test_a_register_that_does_not_answer_is_said_plainly(
    reviewer_client: Client, flag: RiskFlag, settings: Any
) -> None:
    settings.COMPANY_REGISTER = "http"
    settings.COMPANY_REGISTER_URL = "http://127.0.0.1:9/"  # discard port: nothing listens
    settings.COMPANY_REGISTER_TIMEOUT = 1
    company_register.cache_clear()
    body = case_page(reviewer_client, flag)
    assert "The company register did not answer" in body
    assert "Fjällgården Turism AB" in body


def test_a_number_the_register_does_not_know(reviewer_client: Client) -> None:
    flag = raise_flag(None, RiskFlag.Kind.TRANSFER_REQUEST, org_number="559999-9990")
    body = case_page(reviewer_client, flag)
    assert "The company register does not know this organisation number" in body


def test_members_with_their_last_sign_ins_and_failed_attempts(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    member = MembershipFactory(
        organisation=flagged_org, user__email="nils@fjallgarden.example", role="member"
    ).user
    for _ in range(6):
        assert Client().post(
            reverse("account_login"), {"login": owner.email, "password": PASSWORD}
        ).status_code == 302
    Client().post(
        reverse("account_login"),
        {"login": member.email, "password": "wrong"},
        REMOTE_ADDR="203.0.113.9",
    )
    body = case_page(reviewer_client, flag)
    members = body[body.index('id="members-heading"') : body.index('id="invoices-heading"')]
    owner_row = members[members.index(owner.email) : members.index(member.email)]
    assert owner_row.count("signed in") == 5  # the last five
    member_row = members[members.index(member.email) :]
    member_row = member_row[: member_row.index("</tr>")]
    assert "failed" in member_row
    assert "203.0.113.9" in member_row
    assert "Member" in member_row


def test_recent_invoices_and_their_deliveries(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    invoice = issued(flagged_org, owner)
    delivery = invoice_services.invoice_send(invoice=invoice, user=owner)
    body = case_page(reviewer_client, flag)
    invoice.refresh_from_db()
    assert invoice.number in body
    assert invoice.customer.name in body
    assert delivery.recipient in body


def test_earlier_flags_and_the_audit_trail(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation
) -> None:
    earlier = raise_flag(flagged_org, RiskFlag.Kind.VELOCITY, reason="Många fakturor på en dag.")
    risk_flag_close(flag=earlier, actor=None, reason="moot")
    body = case_page(reviewer_client, flag)
    assert reverse("review:case", args=[earlier.pk]) in body
    assert "Många fakturor på en dag." in body
    assert "risk_flag.raised.manual_details" in body  # the organisation's audit trail
    assert reverse("review:audit_csv", args=[flagged_org.public_id]) in body


def test_the_evidence_shown_and_its_viewing_audited(
    reviewer_client: Client, reviewer: Any, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    evidence = signed_evidence(flagged_org, owner)
    body = case_page(reviewer_client, flag)
    assert "Sara Nilsson" in body
    assert evidence.personal_number_masked in body
    assert "199206304421" not in body
    assert reverse("review:evidence_verify", args=[flag.pk, evidence.pk]) in body
    assert "has signed for the organisation" in body  # the register's signatory signed
    viewed = AuditEvent.objects.get(action="review.evidence_viewed")
    assert viewed.actor == reviewer
    assert viewed.organisation == flagged_org
    assert viewed.data["evidence"] == [evidence.pk]
    assert viewed.ip_address == "127.0.0.1"


def test_no_evidence_no_viewing_recorded(reviewer_client: Client, flag: RiskFlag) -> None:
    body = case_page(reviewer_client, flag)
    assert "Nobody has signed for this organisation with BankID" in body
    assert not AuditEvent.objects.filter(action="review.evidence_viewed").exists()


def case_queries(client: Client, flag: RiskFlag) -> int:
    with CaptureQueriesContext(connection) as queries:
        case_page(client, flag)
    return len(queries)


def test_no_query_per_row_on_the_case_page(
    reviewer_client: Client, flag: RiskFlag, flagged_org: Organisation, owner: Any
) -> None:
    signed_evidence(flagged_org, owner)
    issued(flagged_org, owner)
    raise_flag(flagged_org, RiskFlag.Kind.VELOCITY)
    case_queries(reviewer_client, flag)  # the first request fills per-process caches
    before = case_queries(reviewer_client, flag)
    for n in range(3):
        user = MembershipFactory(
            organisation=flagged_org, user__email=f"m{n}@fjallgarden.example",
            role=Membership.Role.MEMBER,
        ).user
        Client().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        signed_evidence(flagged_org, owner)
        issued(flagged_org, owner)
    raise_flag(flagged_org, RiskFlag.Kind.FAILED_SIGNING_ATTEMPTS)
    assert case_queries(reviewer_client, flag) == before


def test_a_transfer_request_shows_the_register_and_who_asked(reviewer_client: Client) -> None:
    requester = MembershipFactory(user__email="erik@bergstrom.example").user
    Client().post(reverse("account_login"), {"login": requester.email, "password": PASSWORD})
    # Partnerkunden Maskin AB is in the register; no organisation in the portal has its number.
    flag = raise_flag(
        None, RiskFlag.Kind.TRANSFER_REQUEST, org_number="556612-3450", raised_by=requester
    )
    body = case_page(reviewer_client, flag)
    assert "<h1>Partnerkunden Maskin AB" in body
    assert "In the portal" not in body
    assert 'class="differs"' not in body
    who = body[body.index('id="requester-heading"') :]
    assert requester.email in who
    assert "signed in" in who[: who.index("</section>")]


def test_the_flags_evidence_is_named_as_a_reviewer_reads_it(
    reviewer_client: Client, flagged_org: Organisation
) -> None:
    flag = raise_flag(
        flagged_org,
        RiskFlag.Kind.VELOCITY,
        evidence={"invoices": 80, "window_hours": 24, "some_new_key": "x"},
    )
    body = reviewer_client.get(reverse("review:case", args=[flag.pk]), headers=PAGE)
    text = body.content.decode()
    assert "Invoices sent in the window" in text and "Window (hours)" in text
    assert "Some new key" in text  # a key nobody named yet is still shown, readably
    assert ">invoices<" not in text
