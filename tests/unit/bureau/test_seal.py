"""The seal (ADR 0750): one test per sealed component changed after sealing, each named by
the check; what must not break it (a code replacement, new audit events); the same state
sealed twice; the bureau's confirmations; the count's and the calendar's gates; the export
checked outside the server agreeing with the server."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from tests.factories.seal import seal_make, seal_world_make

from urne.audit.models import AuditEvent
from urne.audit.services import audit_append, event_hash
from urne.authority.models import PublicCredential
from urne.authority.services import credentials_replace
from urne.bureau.models import SealCheck
from urne.bureau.seal import (
    SealError,
    election_sealed,
    seal_check,
    seal_compute,
    seal_confirm,
    seal_decision_record,
    seal_export_bytes,
    seal_freeze,
    seal_manifest,
)
from urne.count.rules import count_opening_refusal
from urne.elections.models import CandidateList, RollEntry
from urne.elections.services import election_calendar_set
from urne.urn.models import UrnRecord, UrnScrutin
from urne.verify import seal as outside

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def _changed(election) -> list[str]:
    return seal_check(election=election).components


def test_the_same_state_sealed_twice_gives_the_same_fingerprint() -> None:
    world = seal_world_make()
    first = seal_manifest(election=world.election)
    second = seal_manifest(election=world.election)
    assert first["fingerprint"] == second["fingerprint"]
    assert set(first["components"]) == set(outside.COMPONENTS)
    # Every scrutin's roll, lists, credentials (both stores), trustees and urn setup.
    for s in world.scrutins:
        entries = {e for c in first["components"].values() for e in c}
        assert {
            f"rolls/{s.uuid}.tsv",
            f"credentials/{s.uuid}.authority.txt",
            f"credentials/{s.uuid}.urn.json",
            f"trustees/{s.uuid}.json",
            f"urns/{s.uuid}/1-election.json",
        } <= entries
    # The installed package, this very module's service included, and the served bundle.
    assert "urne/bureau/seal.py" in first["components"]["code"]
    assert outside.SERVED_BUNDLE in first["components"]["code"]


def test_president_and_two_delegates_confirm_from_their_own_sessions() -> None:
    world = seal_world_make()
    with pytest.raises(SealError) as refused:
        seal_compute(election=world.election, actor=world.delegates[0])
    assert refused.value.code == "not_president"
    seal = seal_compute(election=world.election, actor=world.president)
    with pytest.raises(SealError) as refused:
        seal_confirm(seal=seal, actor=world.secretary)
    assert refused.value.code == "not_holder"
    seal_confirm(seal=seal, actor=world.president)
    with pytest.raises(SealError) as refused:
        seal_confirm(seal=seal, actor=world.president)
    assert refused.value.code == "already_confirmed"
    seal_confirm(seal=seal, actor=world.delegates[0])
    seal.refresh_from_db()
    assert seal.sealed_at is None and not election_sealed(world.election)
    seal_confirm(seal=seal, actor=world.delegates[2])
    seal.refresh_from_db()
    assert seal.sealed_at is not None and election_sealed(world.election)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("bureau.seal_confirmed") == 3 and "bureau.seal_made" in actions
    assert seal_check(election=world.election).ok


def test_a_change_between_the_fingerprint_and_the_last_confirmation_refuses_the_seal() -> None:
    world = seal_world_make()
    seal = seal_compute(election=world.election, actor=world.president)
    seal_confirm(seal=seal, actor=world.president)
    seal_confirm(seal=seal, actor=world.delegates[0])
    RollEntry.objects.filter(scrutin=world.scrutins[0]).first().delete()
    with pytest.raises(SealError) as refused:
        seal_confirm(seal=seal, actor=world.delegates[1])
    assert refused.value.code == "state_changed" and "rolls" in refused.value.detail
    assert not election_sealed(world.election)


def test_the_seal_needs_a_wiped_rehearsal_and_empty_urns() -> None:
    world = seal_world_make(rehearsed=False)
    with pytest.raises(SealError) as refused:
        seal_compute(election=world.election, actor=world.president)
    assert refused.value.code == "no_rehearsal"
    world = seal_world_make()
    UrnScrutin.objects.using("urn").filter(uuid=world.scrutins[1].uuid).update(ballots=1)
    with pytest.raises(SealError) as refused:
        seal_compute(election=world.election, actor=world.president)
    assert refused.value.code == "urn_not_empty"


# --- one test per sealed component changed after the seal ---------------------------------


def test_a_roll_entry_changed_is_named() -> None:
    world = seal_world_make()
    seal_make(world)
    RollEntry.objects.filter(scrutin=world.scrutins[0]).first().delete()
    assert _changed(world.election) == ["rolls"]


def test_a_lists_pdf_changed_is_named() -> None:
    world = seal_world_make()
    cl = CandidateList.objects.filter(scrutin=world.scrutins[1]).first()
    cl.profession_de_foi.save("pdf.pdf", ContentFile(b"%PDF-1.4 sealed"))
    seal = seal_make(world)
    assert (
        f"lists/{world.scrutins[1].uuid}/{cl.pk}.pdf"
        in json.loads(seal.manifest)["components"]["lists"]
    )
    with open(cl.profession_de_foi.path, "wb") as f:
        f.write(b"%PDF-1.4 swapped")
    outcome = seal_check(election=world.election)
    assert outcome.components == ["lists"]
    assert outcome.changes[0].changed == (f"lists/{world.scrutins[1].uuid}/{cl.pk}.pdf",)


def test_a_public_credential_changed_is_named() -> None:
    world = seal_world_make()
    seal_make(world)
    pc = PublicCredential.objects.using("authority").filter(scrutin_uuid=world.scrutins[0].uuid)[0]
    PublicCredential.objects.using("authority").filter(pk=pc.pk).update(credential="00" * 32)
    assert _changed(world.election) == ["credentials"]


def test_a_trustee_key_changed_is_named() -> None:
    world = seal_world_make()
    seal_make(world)
    head = UrnScrutin.objects.using("urn").get(uuid=world.scrutins[0].uuid)
    record = UrnRecord.objects.using("urn").get(scrutin=head, seq=2)
    at = record.body.index('"public_key":"') + len('"public_key":"')
    flipped = "1" if record.body[at] != "1" else "2"
    body = record.body[:at] + flipped + record.body[at + 1 :]
    UrnRecord.objects.using("urn").filter(pk=record.pk).update(body=body)
    assert _changed(world.election) == ["trustees"]


def test_a_code_file_changed_is_named(settings, tmp_path: Path) -> None:
    root = tmp_path / "urne"
    (root / "booth").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "booth" / "services.py").write_text("def cast(): return 'sealed'\n")
    settings.URNE_SEAL_CODE_ROOT = str(root)
    world = seal_world_make()
    seal_make(world)
    (root / "booth" / "services.py").write_text("def cast(): return 'replaced'\n")
    outcome = seal_check(election=world.election)
    assert outcome.components == ["code"]
    assert outcome.changes[0].changed == ("urne/booth/services.py",)


def test_a_setting_changed_is_named(settings) -> None:
    world = seal_world_make()
    seal_make(world)
    settings.URNE_CAST_GRACE_SECONDS = 6 * 3600
    outcome = seal_check(election=world.election)
    assert outcome.components == ["settings"]
    assert outcome.changes[0].changed == ("settings/URNE_CAST_GRACE_SECONDS.json",)


def test_an_earlier_audit_event_changed_is_named_and_new_events_are_not() -> None:
    world = seal_world_make()
    seal_make(world)
    audit_append(actor="tests", action="tests.after_the_seal", data={"n": 1})
    assert seal_check(election=world.election).ok
    early = AuditEvent.objects.order_by("seq").first()
    # An edit in the database itself, around AuditEvent.save's refusal and, on PostgreSQL,
    # with the append-only trigger switched off, as whoever owns the tables could.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER urne_audit_append_only")
        AuditEvent.objects.filter(pk=early.pk).update(data={"edited": True})
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER urne_audit_append_only")
    assert _changed(world.election) == ["audit"]


def test_a_code_replacement_during_the_vote_keeps_the_seal() -> None:
    world = seal_world_make()
    seal_make(world)
    credentials_replace(voter=world.voters[0], actor="tests", reason="notice lost")
    assert seal_check(election=world.election).ok


# --- the gates: the count, the calendar -------------------------------------------------


def test_a_mismatch_blocks_the_count_until_the_bureau_records_a_decision() -> None:
    world = seal_world_make()
    seal_make(world)
    after = world.election.vote_closes + timedelta(days=1)
    # The count's moment: the vote over and frozen (the freeze itself: test_vote_control.py).
    world.election.vote_frozen_at = after
    assert count_opening_refusal(election=world.election, now=after) is None
    RollEntry.objects.filter(scrutin=world.scrutins[0]).first().delete()
    assert count_opening_refusal(election=world.election, now=after) == "sealed:rolls"
    check = SealCheck.objects.filter(ok=False).latest("pk")
    assert check.reason == "count" and check.components == ["rolls"]
    with pytest.raises(SealError):
        seal_decision_record(check=check, actor=world.delegates[0], text="vu")
    seal_decision_record(
        check=check, actor=world.president, text="Retrait constaté, motif : décès."
    )
    assert count_opening_refusal(election=world.election, now=after) is None
    # A further change is not covered by that decision.
    PublicCredential.objects.using("authority").filter(
        pk=PublicCredential.objects.using("authority").first().pk
    ).update(credential="11" * 32)
    assert count_opening_refusal(election=world.election, now=after) == "sealed:credentials"


def test_the_calendar_is_frozen_from_the_seal_on() -> None:
    world = seal_world_make()
    e = world.election
    dates = {"vote_opens": e.vote_opens, "vote_closes": e.vote_closes + timedelta(days=1)}
    election_calendar_set(actor="tests", election=e, **dates)
    seal_make(world)
    with pytest.raises(ValidationError):
        election_calendar_set(actor="tests", election=e, **dates)
    # The manager's page too (election_update): the dates are refused, the name is not.
    from urne.elections.services import CALENDAR_FIELDS, election_update

    e.refresh_from_db()
    kept = {f: getattr(e, f) for f in CALENDAR_FIELDS}
    with pytest.raises(ValidationError):
        election_update(
            actor="tests",
            election=e,
            name=e.name,
            style=e.style,
            **{**kept, "vote_closes": e.vote_closes + timedelta(days=1)},
        )
    assert election_update(actor="tests", election=e, name="Renamed", style=e.style, **kept)


def test_the_freeze_seals_again_with_the_ballot_boxes_and_the_emargements() -> None:
    from urne.booth.models import Emargement

    world = seal_world_make()
    seal_make(world)
    freeze = seal_freeze(election=world.election)
    assert seal_freeze(election=world.election) == freeze
    components = json.loads(freeze.manifest)["components"]
    assert {"boxes", "emargements"} <= set(components)
    assert seal_check(election=world.election).ok
    Emargement.objects.create(voter=world.voters[0], scrutin=world.scrutins[0], state="voted")
    assert _changed(world.election) == ["emargements"]


# --- the outside check ------------------------------------------------------------------


def test_the_audit_hash_outside_is_the_servers() -> None:
    fields = dict(
        prev_hash="0" * 64,
        seq=7,
        at="2026-12-03T10:00:00.123456+00:00",
        actor_id=3,
        actor="présidente",
        action="bureau.seal_made",
        object_type="elections.election",
        object_id="1",
        data={"fingerprint": "ab", "n": [1, 2]},
    )
    assert outside.audit_event_hash(**fields) == event_hash(**fields)


def test_the_outside_check_agrees_with_the_server(tmp_path: Path) -> None:
    world = seal_world_make()
    cl = CandidateList.objects.filter(scrutin=world.scrutins[0]).first()
    cl.profession_de_foi.save("pdf.pdf", ContentFile(b"%PDF-1.4 sealed"))
    seal = seal_make(world)
    path = tmp_path / "seal.zip"
    path.write_bytes(seal_export_bytes(seal=seal))
    report = outside.export_check(path, expected=seal.fingerprint, code_root=None)
    assert report.ok, report.to_json()
    assert report.fingerprint == seal.fingerprint
    # The release's copy of the code: here the installed package itself.
    from urne.bureau.seal import seal_code_root

    assert outside.export_check(path, code_root=seal_code_root()).ok
    assert outside.main([str(path), "--fingerprint", seal.fingerprint]) == 0
    # Unpacked, the same.
    folder = tmp_path / "unpacked"
    zipfile.ZipFile(path).extractall(folder)
    assert outside.export_check(folder, expected=seal.fingerprint).ok
    # A change after the seal: the server and the outside check name the same component.
    RollEntry.objects.filter(scrutin=world.scrutins[1]).first().delete()
    changed = tmp_path / "changed.zip"
    changed.write_bytes(seal_export_bytes(seal=seal))
    report = outside.export_check(changed, expected=seal.fingerprint)
    assert [c.component for c in report.changes] == _changed(world.election) == ["rolls"]
    assert outside.main([str(changed)]) == 1
    # A fingerprint other than the PV's is reported, whatever the server wrote.
    assert not outside.export_check(path, expected="0" * 64).ok


def test_the_outside_check_catches_a_forged_audit_file(tmp_path: Path) -> None:
    world = seal_world_make()
    seal = seal_make(world)
    src = zipfile.ZipFile(io.BytesIO(seal_export_bytes(seal=seal)))
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == f"files/{outside.AUDIT_FILE}":
                lines = data.splitlines(keepends=True)
                first = json.loads(lines[0])
                first["actor"] = "someone else"
                lines[0] = outside.audit_line(first)
                data = b"".join(lines)
                manifest = json.loads(src.read("manifest.json"))
                manifest["components"]["audit"][outside.AUDIT_FILE] = outside.sha256_hex(data)
                manifest["fingerprint"] = outside.fingerprint(
                    election=manifest["election"], components=manifest["components"]
                )
                manifest["digests"]["audit"] = outside.component_digest(
                    manifest["components"]["audit"]
                )
                out.writestr("manifest.json", json.dumps(manifest))
            if name != "manifest.json":
                out.writestr(name, data)
    report = outside.export_check(forged)
    assert any(p.startswith("audit:") for p in report.problems)
    # ...and its fingerprint is not the PV's.
    assert not outside.export_check(forged, expected=seal.fingerprint).ok


def test_seal_show_prints_the_seal_checks_it_and_exports_it(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    world = seal_world_make()
    seal = seal_make(world)
    out = io.StringIO()
    export = tmp_path / "seal.zip"
    call_command(
        "seal_show",
        str(world.election.pk),
        "--entries",
        "--check",
        "--export",
        str(export),
        stdout=out,
    )
    text = out.getvalue()
    assert seal.fingerprint in text and "the seal checks" in text
    assert f"rolls/{world.scrutins[0].uuid}.tsv" in text
    assert outside.export_check(export, expected=seal.fingerprint).ok
    RollEntry.objects.filter(scrutin=world.scrutins[0]).first().delete()
    with pytest.raises(CommandError):
        call_command("seal_show", str(world.election.pk), "--check", stdout=io.StringIO())


def test_the_pv_is_a_pdf_with_the_fingerprint() -> None:
    from urne.bureau.seal_pv import seal_pv_pdf

    world = seal_world_make()
    pdf = seal_pv_pdf(seal=seal_make(world))
    assert pdf.startswith(b"%PDF")


def test_the_rows_hash_the_same_through_copy_and_through_python() -> None:
    """On PostgreSQL the rolls and the credentials stream through COPY; its bytes are the
    portable path's, odd characters included (SQLite takes the portable path only)."""
    from urne.bureau.seal import _lines, _lines_portable
    from urne.elections.models import Voter

    world = seal_world_make()
    Voter.objects.filter(pk=world.voters[0].pk).update(last_name="O\\'Brien\tde\nla Tour")
    qs = Voter.objects.filter(election=world.election).order_by("numen")
    columns = ("numen", "civility", "last_name", "first_name", "birth_date")
    copied = b"".join(_lines("default", qs, columns))
    assert copied == b"".join(_lines_portable(qs.values_list(*columns)))
    assert b"O\\\\'Brien\\tde\\nla Tour" in copied


def test_the_count_opening_names_the_component_that_changed() -> None:
    from urne.count.errors import CountError
    from urne.count.services import count_open

    world = seal_world_make()
    seal_make(world)
    PublicCredential.objects.using("authority").filter(
        pk=PublicCredential.objects.using("authority").first().pk
    ).update(credential="22" * 32)
    after = world.election.vote_closes + timedelta(days=1)
    world.election.vote_frozen_at = after  # the count's moment (see above)
    with pytest.raises(CountError) as refused:
        count_open(election=world.election, actor="tests", now=after)
    assert refused.value.code == "sealed" and refused.value.detail == "credentials"
    assert "credentials" in refused.value.message
