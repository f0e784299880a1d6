"""The audit log: hash chain, append-only, and the command that checks it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from urne.audit.models import AppendOnlyError, AuditEvent
from urne.audit.services import audit_append, audit_chain_check

pytestmark = pytest.mark.django_db


def _events(n=3):
    return [audit_append(actor="alice", action=f"test.{i}", data={"i": i}) for i in range(n)]


def test_events_form_a_chain():
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit_chain_check().ok


def test_editing_an_event_breaks_the_chain():
    _events()
    AuditEvent.objects.filter(seq=2).update(data={"i": 99})  # bypasses save(), like raw SQL
    report = audit_chain_check()
    assert not report.ok and report.first_bad_seq == 2


def test_removing_an_event_breaks_the_chain():
    _events()
    AuditEvent.objects.filter(seq=2)._raw_delete(AuditEvent.objects.db)
    assert audit_chain_check().first_bad_seq == 3


def test_removing_the_last_event_is_detected():
    _events()
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
    AuditEvent.objects.filter(seq=1).update(actor="mallory")
    with pytest.raises(CommandError, match="#1"):
        call_command("audit_check")
