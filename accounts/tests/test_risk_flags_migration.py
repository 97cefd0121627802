"""Migration 0014: the review cases that exist become risk flags, each reason a flag of its kind.

Played with Django's MigrationExecutor on the test database: back to 0013, old cases
written with the historical models, forward again; then back once more to see the
flags fold into cases. The test commits (transaction=True): migrations are DDL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0013_partners")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to `targets` and return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    leaves: list[tuple[str, str]] = MigrationExecutor(connection).loader.graph.leaf_nodes()
    return leaves


@pytest.fixture
def before_0014() -> Iterator[Any]:
    latest = _latest()
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        _migrate(latest)  # the rest of the suite runs on the latest schema


def _old_cases(apps: Any) -> dict[str, Any]:
    user_model = apps.get_model("auth", "User")
    organisation_model = apps.get_model("accounts", "Organisation")
    case_model = apps.get_model("accounts", "ReviewCase")
    change_model = apps.get_model("accounts", "PaymentDetailsChange")
    registration_model = apps.get_model("accounts", "NetworkRegistration")
    partner_model = apps.get_model("accounts", "PartnerIntegration")
    user = user_model.objects.create(username="old@example.com", email="old@example.com")

    def organisation(number: str, status: str) -> Any:
        return organisation_model.objects.create(
            org_number=number, legal_name=f"Bolag {number}", verification_status=status
        )

    held = organisation("559045-6785", "pending_review")
    bankrupt = organisation("559090-1236", "rejected")
    verified = organisation("559012-3450", "verified")
    change = change_model.objects.create(
        organisation=verified,
        requested_by=user,
        previous={"bankgiro": "5050-1055"},
        proposed={"bankgiro": "5402-9681"},
        status="in_review",
    )
    partner = partner_model.objects.create(name="Partner ERP")
    registration = registration_model.objects.create(partner=partner, org_number="559023-4562")

    def case(kind: str, org: Any, status: str = "open", reason: str = "", **extra: Any) -> Any:
        return case_model.objects.create(
            kind=kind,
            status=status,
            organisation=org,
            org_number=org.org_number if org else extra.pop("org_number"),
            reason=reason,
            requested_by=user,
            **extra,
        )

    return {
        "user": user,
        "two_reasons": case(
            "risk_flag", held, reason="details_entered_by_hand, signer_not_signatory"
        ),
        "declined": case("risk_flag", bankrupt, "declined", "register_status_bankruptcy"),
        "approved": case("risk_flag", verified, "approved", "not_in_register"),
        "payment": case(
            "payment_change", verified, reason="Confirmed by a non-signatory", payment_change=change
        ),
        "takeover": case("takeover", held, "closed", "Taken over by Sara Nilsson"),
        "transfer": case(
            "transfer_request",
            None,
            org_number="559023-4562",
            reason="Transfer to the web service requested",
            registration=registration,
        ),
    }


def test_each_old_case_becomes_the_flags_of_its_kinds_and_folds_back(before_0014: Any) -> None:
    old = _old_cases(before_0014)
    apps = _migrate(_latest())
    flags = apps.get_model("accounts", "RiskFlag").objects

    two = flags.filter(org_number="559045-6785").exclude(kind="takeover").order_by("pk")
    assert [(f.kind, f.status, f.holds_sending, f.severity) for f in two] == [
        ("signatory_mismatch", "open", True, 3),
        ("manual_details", "open", True, 2),
    ]
    assert two[0].pk == old["two_reasons"].pk  # the case keeps its row (its audit events)
    assert {f.raised_by_id for f in two} == {old["user"].pk}
    assert two[0].evidence["reason_codes"] == ["details_entered_by_hand", "signer_not_signatory"]
    assert two[1].created_at == old["two_reasons"].created_at
    assert "firmatecknare" in two[0].reason  # plain Swedish for staff, not a code

    declined = flags.get(pk=old["declined"].pk)
    assert (declined.kind, declined.status) == ("register_inactive", "rejected")
    assert declined.evidence["register_status"] == "bankruptcy"
    approved = flags.get(pk=old["approved"].pk)
    assert (approved.kind, approved.status) == ("register_unconfirmed", "approved")

    payment = flags.get(pk=old["payment"].pk)
    assert (payment.kind, payment.holds_sending) == ("payment_details_changed", False)
    assert payment.payment_change_id == old["payment"].payment_change_id
    assert payment.evidence["reason"] == "Confirmed by a non-signatory"
    takeover = flags.get(pk=old["takeover"].pk)
    assert (takeover.kind, takeover.status, takeover.severity) == ("takeover", "closed", 1)
    transfer = flags.get(pk=old["transfer"].pk)
    assert (transfer.kind, transfer.registration_id) == (
        "transfer_request",
        old["transfer"].registration_id,
    )
    assert flags.count() == 7

    # Back to 0013: the open flags of one number fold into one case again.
    apps = _migrate(BEFORE)
    cases = apps.get_model("accounts", "ReviewCase").objects
    folded = cases.get(pk=old["two_reasons"].pk)
    assert (folded.kind, folded.status) == ("risk_flag", "open")
    assert set(folded.reason.split(", ")) == {"details_entered_by_hand", "signer_not_signatory"}
    assert cases.get(pk=old["declined"].pk).status == "declined"
    assert cases.get(pk=old["payment"].pk).kind == "payment_change"
    assert cases.count() == 6


def test_staff_can_be_given_the_review_permission() -> None:
    assert Permission.objects.filter(
        codename="review_riskflag", content_type__app_label="accounts"
    ).exists()
