"""The audit log: hash chain, append-only, and the command that checks it."""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from urne.audit.models import AppendOnlyError, AuditEvent
from urne.audit.services import audit_append, audit_chain_check

pytestmark = pytest.mark.django_db


def _events(n=3):
    return [audit_append(actor="alice", action=f"test.{i}", data={"i": i}) for i in range(n)]


@contextmanager
def _owner_without_the_trigger():
    """Tampering as the tables' owner would do it: on PostgreSQL, first disable the trigger
    that refuses it (rolled back with the test)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER urne_audit_append_only")
    yield
    if postgres:
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER urne_audit_append_only")


def test_postgresql_refuses_raw_updates_and_deletes():
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite (the demo) keeps the ORM's guard")
    _events()
    for statement in (
        "UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_auditevent WHERE seq = 3",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement)
    assert audit_chain_check().ok


def test_events_form_a_chain():
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit_chain_check().ok


def test_editing_an_event_breaks_the_chain():
    _events()
    with _owner_without_the_trigger():
        AuditEvent.objects.filter(seq=2).update(data={"i": 99})  # bypasses save(), like raw SQL
    report = audit_chain_check()
    assert not report.ok and report.first_bad_seq == 2


def test_removing_an_event_breaks_the_chain():
    _events()
    with _owner_without_the_trigger():
        AuditEvent.objects.filter(seq=2)._raw_delete(AuditEvent.objects.db)
    assert audit_chain_check().first_bad_seq == 3


def test_removing_the_last_event_is_detected():
    _events()
    with _owner_without_the_trigger():
        AuditEvent.objects.filter(seq=3)._raw_delete(AuditEvent.objects.db)
    assert not audit_chain_check().ok


def test_events_cannot_be_changed_or_deleted_through_the_orm():
    (event,) = _events(1)
    event.action = "other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_actor_is_recorded(manager):
    event = audit_append(actor=manager, action="x")
    assert (event.actor_id, event.actor) == (manager.pk, manager.username)
    assert audit_append(actor=None, action="y").actor == "system"


def test_check_command(capsys):
    _events()
    call_command("audit_check")
    assert "intact: 3 events" in capsys.readouterr().out
    with _owner_without_the_trigger():
        AuditEvent.objects.filter(seq=1).update(actor="mallory")
    with pytest.raises(CommandError, match="#1"):
        call_command("audit_check")
