"""Partners, attack first: keys, the attestation, the end of a connection, the suspension.

A partner's organisation sends on the partner's attestation, never on a signature; ending
the connection takes that away and tells the partner with a signed webhook; suspending the
partner stops all of its organisations, queued deliveries included, and reinstating it
lifts only what its suspension did. The web side: a number a partner holds is "taken".
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts import errors
from accounts import errors_partners as partner_errors
from accounts.models import (
    AuditEvent,
    NetworkRegistration,
    Organisation,
    PartnerIntegration,
    PartnerKey,
    RiskFlag,
)
from accounts.selectors import org_number_claim
from accounts.services import (
    OrganisationDetails,
    organisation_create,
    organisation_suspend,
    partner_connection_end,
    partner_key_authenticate,
    partner_reinstate,
    partner_suspend,
)
from accounts.tests.factories import UserFactory
from accounts.tests.partners import (
    IN_LIQUIDATION,
    KVARNEN,
    SOLROSEN,
    Partner,
    acting_as,
    make_partner,
)
from accounts.tests.staff import staff_user, totp_logged_in
from accounts.tokens import secret_hash
from integrations.models import Event, WebhookDelivery, WebhookSubscription
from integrations.selectors import event_list
from integrations.services import webhook_delivery_attempt, webhook_subscribe
from invoices import errors as invoice_errors
from invoices import services as invoice_services
from invoices.models import Delivery
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft
from tests.loopback import Received, post_server

pytestmark = pytest.mark.django_db
Status = Organisation.VerificationStatus


@pytest.fixture
def kontura(db: None) -> Partner:
    return make_partner("Kontura ERP")


@pytest.fixture
def staff(db: None) -> Any:
    return staff_user()


@pytest.fixture
def buyer(db: None) -> Organisation:
    return Organisation.objects.create(
        org_number="556036-0793", legal_name="Köparen AB", verification_status=Status.VERIFIED
    )


def queued_delivery(
    partner: Partner, organisation: Organisation, buyer: Organisation
) -> Delivery:
    """Send an invoice for the partner's organisation; the worker has not picked it up yet."""
    customer = CustomerFactory(organisation=organisation, org_number=buyer.org_number)
    with acting_as(partner.partner_key):
        invoice = draft(organisation, None, customer=customer)
        return invoice_services.invoice_send(invoice=invoice, user=None)


# --- create_partner --------------------------------------------------------------------------


def test_create_partner_prints_the_key_last_and_stores_only_its_hash() -> None:
    out = StringIO()
    url = "https://erp.example/hooks"
    call_command("create_partner", "--name", "Kontura ERP", "--webhook-url", url, stdout=out)

    lines = out.getvalue().strip().splitlines()
    key = lines[-1]
    partner = PartnerIntegration.objects.get(name="Kontura ERP")
    assert key.startswith("efp_") and " " not in key
    assert partner.webhook_secret.startswith("whsec_")
    assert lines[-2].endswith(partner.webhook_secret)
    stored = PartnerKey.objects.get(partner=partner)
    assert stored.key_hash == secret_hash(key)
    assert key not in {getattr(stored, f.attname) for f in PartnerKey._meta.fields}
    assert partner_key_authenticate(key) == stored
    created = AuditEvent.objects.get(action="partner_key.created")
    assert created.data["prefix"] == stored.prefix
    assert key not in str(created.data)


def test_create_partner_refuses_a_second_partner_of_the_name_unless_asked_for_a_key() -> None:
    call_command("create_partner", "--name", "Kontura ERP", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_partner", "--name", "Kontura ERP", stdout=StringIO())
    out = StringIO()
    call_command("create_partner", "--name", "Kontura ERP", "--new-key", stdout=out)

    assert out.getvalue().strip().splitlines()[-1].startswith("efp_")
    assert PartnerIntegration.objects.count() == 1
    assert PartnerKey.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("create_partner", "--name", "Nobody", "--new-key", stdout=StringIO())


def test_create_partner_refuses_a_webhook_url_that_is_no_url() -> None:
    with pytest.raises(CommandError):
        call_command("create_partner", "--name", "X", "--webhook-url", "ftp://x", stdout=StringIO())
    assert not PartnerIntegration.objects.exists()


def test_an_organisation_key_is_not_a_partner_key(alice_api: Any, kontura: Partner) -> None:
    organisation_key = alice_api._credentials["HTTP_AUTHORIZATION"].split()[1]
    assert partner_key_authenticate(organisation_key) is None
    assert partner_key_authenticate(kontura.key.replace("efp_", "efk_", 1)) is None
    inactive = make_partner("Stängd ERP")
    PartnerIntegration.objects.filter(pk=inactive.integration.pk).update(is_active=False)
    assert partner_key_authenticate(inactive.key) is None


# --- The attestation --------------------------------------------------------------------------


def test_connecting_attests_verifies_and_audits_without_any_signature(kontura: Partner) -> None:
    organisation = kontura.connect(KVARNEN)

    assert organisation.verification_status == Status.VERIFIED
    assert organisation.verified_at is not None
    assert not organisation.signature_evidence.exists()  # no BankID was involved
    actions = list(
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "organisation.created",
        "partner.organisation_connected",
        "organisation.verified",
    ]
    verified = AuditEvent.objects.get(action="organisation.verified")
    assert verified.data["partner"] == kontura.integration.pk
    assert [e.type for e in Event.objects.filter(organisation=organisation)] == [
        "organisation.verified"
    ]


def test_a_company_the_register_lists_as_inactive_is_held_by_a_risk_flag(kontura: Partner) -> None:
    organisation = kontura.connect(IN_LIQUIDATION)

    organisation.refresh_from_db()
    assert organisation.verification_status == Status.PENDING_REVIEW
    flag = RiskFlag.objects.get(organisation=organisation)
    assert (flag.kind, flag.holds_sending) == (RiskFlag.Kind.REGISTER_INACTIVE, True)
    assert flag.evidence["partner"] == kontura.integration.pk


def test_a_web_user_registering_a_partners_number_gets_the_taken_page(kontura: Partner) -> None:
    kontura.connect(KVARNEN)
    client = Client()
    client.force_login(UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("accounts:onboarding"), {"org_number": KVARNEN})

    assert response.url == reverse("accounts:taken", args=[KVARNEN])
    page = client.get(response.url).content.decode()
    assert "Kontura ERP" in page and "Request transfer" in page
    details = OrganisationDetails(org_number=KVARNEN, legal_name="Kvarnen Data AB")
    with pytest.raises(errors.OrganisationNumberTaken):
        organisation_create(user=UserFactory(), details=details, record=None)


# --- Ending a connection ------------------------------------------------------------------------


@pytest.fixture
def received() -> list[Received]:
    return []


def test_ending_the_connection_takes_the_attestation_away_and_tells_the_partner_signed(
    received: list[Received], staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with post_server(lambda request: 204, received) as root_url:
        partner = make_partner("Kontura ERP", webhook_url=root_url + "/hooks/kontura")
        organisation = partner.connect(KVARNEN)
        subscription = webhook_subscribe(
            organisation=organisation, user=None, url=root_url + "/org", event_types=[]
        )
        registration = NetworkRegistration.objects.get(organisation=organisation)

        partner_connection_end(registration=registration, actor=staff, reason="Transferred")

        organisation.refresh_from_db()
        assert organisation.verification_status == Status.UNVERIFIED
        assert organisation.verified_at is None
        assert org_number_claim(org_number=KVARNEN).registration is None  # the number is free
        subscription.refresh_from_db()
        assert subscription.deleted_at is not None  # its events no longer go to the partner
        unverified = AuditEvent.objects.get(action="organisation.unverified")
        assert (unverified.actor, unverified.data["previous"]) == (staff, "verified")
        assert AuditEvent.objects.filter(action="partner.connection_ended", actor=staff).exists()

        delivery = WebhookDelivery.objects.get(partner=partner.integration)
        assert webhook_delivery_attempt(delivery.pk).outcome == "delivered"

    [request] = received
    payload = Webhook(partner.integration.webhook_secret).verify(request.body, request.headers)
    assert payload["type"] == "partner.connection_ended"
    assert payload["data"] == {
        "org_number": KVARNEN,
        "reason": "Transferred",
        "ended_at": payload["data"]["ended_at"],
    }
    assert set(payload) == {"type", "timestamp", "data"}
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "A" * 44).verify(request.body, request.headers)
    # The partner's event is the partner's: not in the organisation's feed, not its webhooks.
    assert [e.type for e in event_list(organisation=organisation, after=None, limit=10)] == [
        "organisation.verified"
    ]
    assert not WebhookDelivery.objects.filter(subscription=subscription).exists()


def test_a_failing_partner_receiver_is_retried_and_every_attempt_logged(
    received: list[Received], settings: Any
) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    answers = iter([500, 200])
    with post_server(lambda request: next(answers), received) as root_url:
        partner = make_partner("Kontura ERP", webhook_url=root_url)
        organisation = partner.connect(KVARNEN)
        registration = NetworkRegistration.objects.get(organisation=organisation)
        partner_connection_end(registration=registration, actor=None, reason="Ended")
        delivery = WebhookDelivery.objects.get(partner=partner.integration)

        first = webhook_delivery_attempt(delivery.pk)
        second = webhook_delivery_attempt(delivery.pk)

    assert (first.outcome, first.retry_in, second.outcome) == ("retry", 0.0, "delivered")
    assert [a.status_code for a in delivery.log.all()] == [500, 200]
    assert len({r.headers["webhook-id"] for r in received}) == 1  # the same id: deduplicable


def test_ending_a_connection_twice_is_refused(kontura: Partner) -> None:
    registration = NetworkRegistration.objects.get(organisation=kontura.connect(KVARNEN))
    partner_connection_end(registration=registration, actor=None, reason="Ended")
    with pytest.raises(partner_errors.ConnectionAlreadyEnded):
        partner_connection_end(registration=registration, actor=None, reason="Again")


def test_a_partner_cannot_shed_a_staff_suspension_by_ending_and_reconnecting(
    kontura: Partner, staff: Any
) -> None:
    rival = make_partner("Rival Ekonomi")
    organisation = kontura.connect(KVARNEN)
    organisation_suspend(staff=staff, organisation=organisation, reason="Fraud reported")

    kontura.api().delete(f"/api/v1/partner/organisations/{KVARNEN}")

    organisation.refresh_from_db()
    assert organisation.verification_status == Status.SUSPENDED  # staff's decision stands
    refused = rival.api().post(
        "/api/v1/partner/organisations", {"org_number": KVARNEN}, format="json"
    )
    assert (refused.status_code, refused.json()["holder"]) == (409, "web")
    organisation.refresh_from_db()
    assert organisation.verification_status == Status.SUSPENDED


def test_a_former_partner_organisation_can_be_connected_again(kontura: Partner) -> None:
    rival = make_partner("Rival Ekonomi")
    organisation = kontura.connect(KVARNEN)
    kontura.api().delete(f"/api/v1/partner/organisations/{KVARNEN}")

    again = rival.connect(KVARNEN)

    assert again.pk == organisation.pk  # the same company, the same records
    again.refresh_from_db()
    assert again.verification_status == Status.VERIFIED
    assert NetworkRegistration.objects.get(ended_at=None).partner == rival.integration


# --- Suspending a partner -----------------------------------------------------------------------


def test_suspending_a_partner_stops_a_queued_delivery_and_blocks_sending(
    kontura: Partner, staff: Any, buyer: Organisation
) -> None:
    organisation = kontura.connect(KVARNEN)
    other = kontura.connect(SOLROSEN)
    delivery = queued_delivery(kontura, organisation, buyer)

    partner_suspend(staff=staff, partner=kontura.integration, reason="Agreement breached")

    for each in (organisation, other):
        each.refresh_from_db()
        assert each.verification_status == Status.SUSPENDED
    # The worker picks the queued delivery up after the suspension: it does not go out.
    attempt = delivery_attempt(delivery.pk, final=False)
    assert (attempt.outcome, attempt.detail) == ("failed", "organisation_suspended")
    assert not buyer.received_invoices.exists()
    with acting_as(kontura.partner_key), pytest.raises(invoice_errors.SendingBlocked) as blocked:
        invoice_services.invoice_send(invoice=draft(other, None), user=None)
    assert blocked.value.decision.code == "organisation_suspended"
    suspended = AuditEvent.objects.get(action="partner.suspended")
    assert (suspended.actor, suspended.data["reason"]) == (staff, "Agreement breached")
    assert suspended.data["organisations_suspended"] == 2


def test_reinstating_a_partner_lifts_only_what_its_suspension_did(
    kontura: Partner, staff: Any
) -> None:
    by_partner = kontura.connect(KVARNEN)
    by_staff = kontura.connect(SOLROSEN)
    organisation_suspend(staff=staff, organisation=by_staff, reason="Own case")
    partner_suspend(staff=staff, partner=kontura.integration, reason="Agreement breached")

    partner_reinstate(staff=staff, partner=kontura.integration)

    by_partner.refresh_from_db()
    by_staff.refresh_from_db()
    assert by_partner.verification_status == Status.VERIFIED
    assert by_staff.verification_status == Status.SUSPENDED
    kontura.integration.refresh_from_db()
    assert kontura.integration.suspended_at is None
    assert AuditEvent.objects.filter(action="partner.reinstated", actor=staff).exists()
    with pytest.raises(partner_errors.PartnerNotSuspended):
        partner_reinstate(staff=staff, partner=kontura.integration)


def test_a_transfer_while_the_partner_is_suspended_leaves_the_organisation_unverified(
    kontura: Partner, staff: Any
) -> None:
    organisation = kontura.connect(KVARNEN)
    partner_suspend(staff=staff, partner=kontura.integration, reason="Agreement breached")
    registration = NetworkRegistration.objects.get(organisation=organisation)

    partner_connection_end(registration=registration, actor=staff, reason="Transferred")
    partner_reinstate(staff=staff, partner=kontura.integration)

    organisation.refresh_from_db()
    # Not back to verified: the attestation went with the connection.
    assert organisation.verification_status == Status.UNVERIFIED


def test_suspending_a_partner_twice_is_refused_and_the_admin_asks_for_a_reason(
    kontura: Partner,
) -> None:
    staff = staff_user("reviewer@example.com")
    client = totp_logged_in(staff)
    url = reverse("admin:accounts_partnerintegration_changelist")
    chosen = {"action": "suspend", "_selected_action": [kontura.integration.pk]}

    asked = client.post(url, chosen)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    kontura.integration.refresh_from_db()
    assert kontura.integration.suspended_at is None  # nothing happened without a reason
    done = client.post(url, {**chosen, "apply": "1", "reason": "Agreement breached"})
    assert done.status_code == 302
    kontura.integration.refresh_from_db()
    assert kontura.integration.suspended_at is not None
    with pytest.raises(partner_errors.PartnerAlreadySuspended):
        partner_suspend(staff=staff, partner=kontura.integration, reason="Again")
    assert AuditEvent.objects.get(action="partner.suspended").actor == staff


def test_the_admin_never_shows_the_webhook_secret_or_a_key_hash(kontura: Partner) -> None:
    client = totp_logged_in(staff_user("reviewer@example.com"))
    url = reverse("admin:accounts_partnerintegration_change", args=[kontura.integration.pk])
    page = client.get(url).content.decode()
    assert kontura.partner_key.prefix in page
    assert kontura.integration.webhook_secret not in page
    assert kontura.partner_key.key_hash not in page
    keys = client.get(reverse("admin:accounts_partnerkey_changelist")).content.decode()
    assert kontura.partner_key.key_hash not in keys


def test_webhook_subscriptions_never_receive_a_partners_event(
    kontura: Partner, alice_org: Organisation, alice: Any
) -> None:
    subscription = webhook_subscribe(
        organisation=alice_org, user=alice, url="http://127.0.0.1:9/", event_types=[]
    )
    assert not subscription.wants("partner.connection_ended")
    assert subscription.wants("invoice.delivered")
    assert WebhookSubscription.objects.count() == 1


def test_changing_a_partner_in_the_admin_checks_the_webhook_url_and_is_audited(
    kontura: Partner,
) -> None:
    client = totp_logged_in(staff_user("reviewer@example.com"))
    url = reverse("admin:accounts_partnerintegration_change", args=[kontura.integration.pk])
    form = {
        "name": "Kontura ERP",
        "kind": "erp",
        "contact_email": "",
        "is_active": "on",
        "keys-TOTAL_FORMS": "1",
        "keys-INITIAL_FORMS": "1",
        "keys-MIN_NUM_FORMS": "0",
        "keys-MAX_NUM_FORMS": "1000",
        "keys-0-id": str(kontura.partner_key.pk),
        "keys-0-partner": str(kontura.integration.pk),
    }

    refused = client.post(url, {**form, "webhook_url": "ftp://erp.example/hooks"})
    saved = client.post(url, {**form, "webhook_url": "https://erp.example/hooks"})

    assert refused.status_code == 200  # the form again, with the error
    assert saved.status_code == 302
    kontura.integration.refresh_from_db()
    assert kontura.integration.webhook_url == "https://erp.example/hooks"
    updated = AuditEvent.objects.get(action="partner.updated")
    assert updated.data["fields"] == ["webhook_url"]
