"""The audit log: services append events; nothing, not even raw SQL, changes or removes one."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from accounts import services
from accounts.models import AuditEvent, Membership, Organisation
from accounts.registry import FixtureRegister
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(alice, alice_org) -> AuditEvent:
    return services.audit_event_record(
        action="test.happened",
        actor=alice,
        organisation=alice_org,
        obj=alice_org,
        data={"answer": 42, "who": "Åsa"},
        ip_address="192.0.2.7",
    )


def test_audit_event_record_writes_every_field(alice, alice_org):
    before = AuditEvent.objects.count()
    event = services.audit_event_record(
        action="test.happened",
        actor=alice,
        organisation=alice_org,
        obj=alice_org,
        data={"answer": 42, "who": "Åsa"},
        ip_address="192.0.2.7",
    )
    assert AuditEvent.objects.count() == before + 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == alice
    assert stored.organisation == alice_org
    assert stored.action == "test.happened"
    assert stored.object_type == "Organisation"
    assert stored.object_id == str(alice_org.pk)
    assert stored.data == {"answer": 42, "who": "Åsa"}
    assert stored.ip_address == "192.0.2.7"
    assert stored.created_at is not None


def test_audit_event_record_without_actor_or_object(db):
    event = services.audit_event_record(action="system.tick")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is None
    assert stored.organisation is None
    assert (stored.object_type, stored.object_id) == ("", "")
    assert stored.data == {}
    assert stored.ip_address is None


def test_audit_event_record_ignores_an_anonymous_actor(db):
    from django.contrib.auth.models import AnonymousUser

    event = services.audit_event_record(action="anon.visit", actor=AnonymousUser())
    assert AuditEvent.objects.get(pk=event.pk).actor is None


# --- No update or delete path in the ORM -------------------------------------------------------


def test_saving_an_existing_event_is_refused(event):
    event.action = "test.rewritten"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.happened"


def test_saving_a_fetched_event_with_update_fields_is_refused(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.data = {"answer": 0}
    with pytest.raises(PermissionError):
        stored.save(update_fields=["data"])
    assert AuditEvent.objects.get(pk=event.pk).data == {"answer": 42, "who": "Åsa"}


def test_deleting_an_event_is_refused(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(data={})
    assert AuditEvent.objects.get(pk=event.pk).action == "test.happened"


def test_queryset_delete_is_refused(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- And none in the database either (triggers from migration 0002) ---------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'x'",
        "UPDATE accounts_auditevent SET ip_address = NULL WHERE id = %s",
        "DELETE FROM accounts_auditevent",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_the_log(event, statement):
    params = [event.pk] if "%s" in statement else []
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    # The test's transaction is still usable and the row is untouched.
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.ip_address) == ("test.happened", "192.0.2.7")


def test_raw_sql_insert_is_allowed(event):
    # Append-only, not read-only: the triggers must not block new rows. (Whether the row
    # belongs in the hash chain is verify_audit_log's business: test_audit_chain.py.)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_auditevent (action, object_type, object_id, data, created_at,"
            " sequence, previous_hash, content_hash)"
            " VALUES ('raw.insert', '', '', '{}', CURRENT_TIMESTAMP, 1000000, '', '')"
        )
    assert AuditEvent.objects.filter(action="raw.insert").count() == 1


# --- Services write events ------------------------------------------------------------------


def test_organisation_create_writes_an_audit_event(db):
    user = UserFactory(email="linnea@example.com")
    record = FixtureRegister().lookup("850412-1396")
    assert record is not None
    details = services.OrganisationDetails(
        org_number=record.org_number,
        legal_name=record.legal_name,
        vat_number="SE850412139601",
        city=record.city,
        has_f_skatt=record.has_f_skatt,
    )
    organisation = services.organisation_create(
        user=user, details=details, record=record, ip_address="198.51.100.4"
    )
    assert organisation.verification_status == Organisation.VerificationStatus.UNVERIFIED
    assert organisation.is_sole_trader is True
    assert Membership.objects.get(organisation=organisation).user == user

    (event,) = AuditEvent.objects.filter(organisation=organisation)
    assert event.action == "organisation.created"
    assert event.actor == user
    assert (event.object_type, event.object_id) == ("Organisation", str(organisation.pk))
    assert event.data == {"org_number": "850412-1396", "source": "register"}
    assert event.ip_address == "198.51.100.4"


def test_organisation_create_by_hand_records_the_manual_source(db):
    user = UserFactory()
    details = services.OrganisationDetails(org_number="556036-0793", legal_name="Hand AB")
    organisation = services.organisation_create(user=user, details=details, record=None)
    event = AuditEvent.objects.get(organisation=organisation, action="organisation.created")
    assert event.data == {"org_number": "556036-0793", "source": "manual"}
    assert event.ip_address is None
