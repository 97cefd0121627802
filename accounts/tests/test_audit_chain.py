"""The audit log's hash chain: written by every service, checked by verify_audit_log.

The tampering tests act as an attacker with SQL access to the database, who gets past the
append-only triggers (session_replication_role, which needs a superuser or the table owner)
and changes, removes or inserts events. Each must make the command exit 1 and name the
first broken link.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from accounts import services
from accounts.audit_chain import GENESIS_HASH, audit_event_hash
from accounts.audit_export import audit_trail_csv
from accounts.models import AuditChainHead, AuditEvent, Membership, Organisation
from accounts.registry import FixtureRegister
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def verify() -> tuple[int, str]:
    """Run verify_audit_log: its exit status and its output (a CommandError exits with its code).

    In this process, as the shell's run would close the test's database connection;
    test_the_shell_gets_the_exit_status runs it as the shell does.
    """
    out = io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def manage_py_verify() -> subprocess.CompletedProcess[str]:
    """Run `manage.py verify_audit_log` in a process of its own, against the test database."""
    # pytest-django renamed the database (test_<name>) in settings, not in the environment.
    name = settings.DATABASES["default"]["NAME"]
    url = urlsplit(settings.DATABASE_URL)._replace(path="/" + quote(name)).geturl()
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        cwd=settings.BASE_DIR,
        env=os.environ | {"PORTAL_ENV": "test", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def first_broken(output: str) -> tuple[int, int, str]:
    """Return the sequence, event id and the problem's kind of the first broken link."""
    match = re.search(r"First broken link: sequence (\d+) \(event id (\d+)\): ([a-z ]+)", output)
    assert match is not None, output
    return int(match[1]), int(match[2]), match[3].strip()


@contextmanager
def past_the_triggers() -> Iterator[Any]:
    """Turn the append-only triggers off in this transaction only, as a tamperer would."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def chain() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("sequence"))


@pytest.fixture
def trail(alice, alice_org, mallory, mallory_org) -> list[AuditEvent]:
    """A chain of events written by ordinary services, for two organisations."""
    user = UserFactory(email="linnea@example.com")
    record = FixtureRegister().lookup("850412-1396")
    assert record is not None
    details = services.OrganisationDetails(
        org_number=record.org_number, legal_name=record.legal_name, city=record.city
    )
    services.organisation_create(user=user, details=details, record=record, ip_address="::1")
    owner = Membership.objects.get(organisation=alice_org, user=alice)
    member = MembershipFactory(organisation=alice_org, role=Membership.Role.MEMBER)
    services.membership_change_role(actor=owner, membership=member, role=Membership.Role.ADMIN)
    services.api_key_create(actor=alice, organisation=alice_org, name="ERP", ip_address="192.0.2.1")
    services.audit_event_record(action="mallory.did", actor=mallory, organisation=mallory_org)
    services.audit_event_record(
        action="alice.did", actor=alice, organisation=alice_org, data={"note": "last"}
    )
    events = chain()
    assert len(events) >= 5
    return events


# --- An honest chain -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chain_written_by_services_verifies(trail):
    status, output = verify()
    assert status == 0
    assert f"Checked {len(trail)} audit events." in output
    assert "intact" in output


@pytest.mark.django_db
def test_every_event_links_to_the_one_before(trail):
    assert [event.sequence for event in trail] == list(range(1, len(trail) + 1))
    assert trail[0].previous_hash == GENESIS_HASH
    for before, event in itertools.pairwise(trail):
        assert event.previous_hash == before.content_hash
    for event in trail:
        assert audit_event_hash(event) == event.content_hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.content_hash) == (trail[-1].sequence, trail[-1].content_hash)


@pytest.mark.django_db
def test_an_empty_log_verifies():
    # The head row is there (migration 0012) or not (emptied by a transactional test's flush).
    status, output = verify()
    assert status == 0
    assert output.startswith("Checked 0 audit events.\nThe audit chain is intact.\n")


@pytest.mark.django_db
def test_what_the_database_respells_still_verifies(alice_org):
    # PostgreSQL gives back an IPv6 address and jsonb numbers in its own spelling.
    services.audit_event_record(
        action="test.respelled",
        organisation=alice_org,
        data={"big": 1e16, "zero": -0.0, "whole": 2.0, "tiny": 1.25e-7, "huge": 1.5e300},
        ip_address="2001:0DB8:0000:0000::0001",
    )
    stored = AuditEvent.objects.get(action="test.respelled")
    assert stored.ip_address == "2001:db8::1"
    assert stored.data["big"] == 10**16
    assert verify()[0] == 0


@pytest.mark.django_db
def test_the_chain_continues_over_a_lost_head_row(trail):
    AuditChainHead.objects.all().delete()
    status, output = verify()
    assert status == 1
    assert "the chain head is missing" in output
    # The next writer starts the head again from the last event: no fork, no gap.
    event = services.audit_event_record(action="after.loss")
    assert (event.sequence, event.previous_hash) == (len(trail) + 1, trail[-1].content_hash)
    assert verify()[0] == 0


# --- Tampering ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_triggers_stop_a_tamperer_who_does_not_get_past_them(trail):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditevent SET data = '{}' WHERE id = %s", [trail[2].pk])


@pytest.mark.django_db
def test_changed_data_breaks_the_chain_at_that_event(trail):
    target = trail[2]
    with past_the_triggers() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET data = '{\"org_number\": \"556036-0793\"}'"
            " WHERE id = %s",
            [target.pk],
        )
    status, output = verify()
    assert status == 1
    assert f"Checked {len(trail)} audit events." in output
    assert first_broken(output) == (target.sequence, target.pk, "content changed")


@pytest.mark.parametrize(
    "column, value",
    [
        ("action", "api_key.revoked"),
        ("actor_id", None),
        ("organisation_id", None),
        ("object_type", "Invoice"),
        ("object_id", "1"),
        ("ip_address", "203.0.113.9"),
    ],
)
@pytest.mark.django_db
def test_any_changed_column_breaks_the_chain(trail, column, value):
    target = trail[3]
    with past_the_triggers() as cursor:
        cursor.execute(
            f"UPDATE accounts_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, target.pk],
        )
    status, output = verify()
    assert status == 1
    assert first_broken(output) == (target.sequence, target.pk, "content changed")


@pytest.mark.django_db
def test_a_changed_time_breaks_the_chain(trail):
    target = trail[1]
    with past_the_triggers() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET created_at = created_at - interval '1 microsecond'"
            " WHERE id = %s",
            [target.pk],
        )
    status, output = verify()
    assert status == 1
    assert first_broken(output) == (target.sequence, target.pk, "content changed")


@pytest.mark.django_db
def test_a_forger_who_rehashes_the_changed_event_breaks_the_next_link(trail):
    target, following = trail[2], trail[3]
    forged = AuditEvent.objects.get(pk=target.pk)
    forged.data = {"org_number": "556036-0793", "source": "register"}
    with past_the_triggers() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET data = %s, content_hash = %s WHERE id = %s",
            ['{"org_number": "556036-0793", "source": "register"}', audit_event_hash(forged),
             target.pk],
        )
    status, output = verify()
    assert status == 1
    assert (
        f"First broken link: sequence {following.sequence} (event id {following.pk}): "
        "previous link mismatch" in output
    )


@pytest.mark.django_db
def test_a_removed_event_is_named_by_its_missing_sequence(trail):
    removed, following = trail[2], trail[3]
    with past_the_triggers() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [removed.pk])
    status, output = verify()
    assert status == 1
    assert f"Checked {len(trail) - 1} audit events." in output
    assert (
        f"First broken link: sequence {following.sequence} (event id {following.pk}): "
        f"missing sequence {removed.sequence}: events were removed" in output
    )


@pytest.mark.django_db
def test_removing_the_last_events_is_caught_by_the_head(trail):
    with past_the_triggers() as cursor:
        cursor.execute(
            "DELETE FROM accounts_auditevent WHERE sequence >= %s", [trail[-2].sequence]
        )
    status, output = verify()
    assert status == 1
    assert (
        f"First broken link: sequence {trail[-2].sequence} (the chain head): missing sequence "
        f"{trail[-2].sequence}-{trail[-1].sequence}: events were removed from the end" in output
    )


def _forge(*, sequence: int, previous_hash: str, action: str = "api_key.revoked") -> AuditEvent:
    """Build an event exactly as the writer would, with a correct content hash."""
    template = AuditEvent.objects.order_by("sequence").last()
    assert template is not None
    forged = AuditEvent(
        action=action,
        organisation_id=template.organisation_id,
        data={"forged": True},
        created_at=template.created_at,
        sequence=sequence,
        previous_hash=previous_hash,
    )
    forged.content_hash = audit_event_hash(forged)
    return forged


def _insert(cursor: Any, event: AuditEvent) -> None:
    cursor.execute(
        "INSERT INTO accounts_auditevent (action, organisation_id, object_type, object_id, data,"
        " created_at, sequence, previous_hash, content_hash)"
        " VALUES (%s, %s, '', '', '{\"forged\": true}', %s, %s, %s, %s) RETURNING id",
        [event.action, event.organisation_id, event.created_at, event.sequence,
         event.previous_hash, event.content_hash],
    )
    event.pk = cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_forged_event_appended_past_the_head_is_caught(trail):
    # Correctly linked and hashed: only the head, which the forger did not move, tells.
    forged = _forge(sequence=len(trail) + 1, previous_hash=trail[-1].content_hash)
    with connection.cursor() as cursor:  # inserting needs no trigger bypass at all
        _insert(cursor, forged)
    status, output = verify()
    assert status == 1
    assert (
        f"First broken link: sequence {forged.sequence} (event id {forged.pk}): "
        "an inserted event" in output
    )


@pytest.mark.django_db
def test_a_forged_event_inserted_in_the_middle_is_caught(trail):
    # The forger makes room at position 3, renumbering the later events, and links the
    # forged event correctly to event 2. Event 3 (now 4) still points at event 2.
    position = 3
    displaced = trail[position - 1]
    forged = _forge(sequence=position, previous_hash=trail[position - 2].content_hash)
    with past_the_triggers() as cursor:
        for event in reversed(trail[position - 1 :]):
            cursor.execute(
                "UPDATE accounts_auditevent SET sequence = sequence + 1 WHERE id = %s", [event.pk]
            )
        _insert(cursor, forged)
    status, output = verify()
    assert status == 1
    assert f"Checked {len(trail) + 1} audit events." in output
    assert (
        f"First broken link: sequence {position + 1} (event id {displaced.pk}): "
        "previous link mismatch" in output
    )


@pytest.mark.django_db
def test_a_forged_first_event_is_caught(trail):
    forged = _forge(sequence=0, previous_hash=GENESIS_HASH)
    with connection.cursor() as cursor:
        _insert(cursor, forged)
    status, output = verify()
    assert status == 1
    assert f"First broken link: sequence 0 (event id {forged.pk}): an inserted event" in output


# --- Concurrent writers ----------------------------------------------------------------------

THREADS = 4
EVENTS_PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    organisation = OrganisationFactory()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            start.wait(10)
            for number in range(EVENTS_PER_THREAD):
                # Each in a transaction of its own that goes on after the event, as a service
                # does, so the writers overlap while one of them holds the head.
                with transaction.atomic():
                    services.audit_event_record(
                        action="test.concurrent",
                        organisation=organisation,
                        data={"worker": worker, "number": number},
                    )
                    time.sleep(0.001)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(worker,)) for worker in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []

    events = chain()
    total = THREADS * EVENTS_PER_THREAD
    assert [event.sequence for event in events] == list(range(1, total + 1))
    previous_hashes = [event.previous_hash for event in events]
    assert len(set(previous_hashes)) == total  # no two events hang from the same link
    assert AuditChainHead.objects.get().sequence == total
    status, output = verify()
    assert (status, f"Checked {total} audit events." in output) == (0, True)


@pytest.mark.django_db(transaction=True)
def test_the_shell_gets_the_exit_status(alice_org):
    for number in range(3):
        services.audit_event_record(action="test.shell", organisation=alice_org, data={"n": number})
    honest = manage_py_verify()
    head = AuditChainHead.objects.get()
    assert (honest.returncode, honest.stdout) == (
        0,
        "Checked 3 audit events.\nThe audit chain is intact.\n"
        f"Chain head: sequence 3, hash {head.content_hash}.\n",
    )
    second = AuditEvent.objects.get(sequence=2)
    with transaction.atomic(), past_the_triggers() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET data = '{\"n\": 7}' WHERE id = %s", [second.pk]
        )
    tampered = manage_py_verify()
    assert tampered.returncode == 1
    assert f"First broken link: sequence 2 (event id {second.pk}): content" in tampered.stdout
    assert "The audit chain is broken (1 broken link(s))." in tampered.stderr


# --- The CSV export ----------------------------------------------------------------------------


def rows(organisation: Organisation) -> list[list[str]]:
    with translation.override("en"):
        text = "".join(audit_trail_csv(organisation=organisation))
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.django_db
def test_the_export_holds_one_row_per_event_of_that_organisation_only(trail, alice_org):
    header, *body = rows(alice_org)
    assert header == [
        "Time", "Actor e-mail", "Event", "Object", "Data (JSON)", "IP address", "Sequence",
        "Content hash",
    ]
    own = [event for event in trail if event.organisation_id == alice_org.pk]
    assert [row[6] for row in body] == [str(event.sequence) for event in own]
    assert [row[7] for row in body] == [event.content_hash for event in own]
    assert "mallory.did" not in {row[2] for row in body}
    assert "mallory@example.com" not in {row[1] for row in body}
    last = body[-1]
    assert last[1:6] == ["alice@example.com", "alice.did", "", '{"note": "last"}', ""]
    key_row = next(row for row in body if row[2] == "api_key.created")
    assert key_row[3].startswith("ApiKey ")
    assert key_row[5] == "192.0.2.1"


@pytest.mark.django_db
def test_the_export_of_another_organisation_shows_none_of_alices(trail, alice_org, mallory_org):
    _header, *body = rows(mallory_org)
    assert [row[2] for row in body] == ["mallory.did"]
    assert body[0][1] == "mallory@example.com"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.django_db
def test_the_export_defuses_spreadsheet_formulas(alice_org, start):
    user = UserFactory(email=f"{start}cmd@example.com")
    services.audit_event_record(
        action=f"{start}HYPERLINK(\"http://evil.example\")",
        actor=user,
        organisation=alice_org,
        data={"ok": 1},
    )
    (row,) = rows(alice_org)[1:]
    assert row[1] == f"'{start}cmd@example.com"
    assert row[2] == f"'{start}HYPERLINK(\"http://evil.example\")"
    assert row[4] == '{"ok": 1}'


@pytest.mark.django_db
def test_the_export_header_is_in_the_language_of_the_call_not_of_the_read(trail, alice_org):
    # A streamed response is read after the view has returned, in whatever language is active.
    with translation.override("en"):
        lines = audit_trail_csv(organisation=alice_org)
    with translation.override("sv"):
        header = next(lines)
    assert header.startswith("Time,Actor e-mail,Event,")
    with translation.override("sv"):
        assert next(audit_trail_csv(organisation=alice_org)).startswith("Tid,")
