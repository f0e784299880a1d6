"""The 2-year sealed retention (ADR 0573, ``urne.site.retention``): the bundle of a counted
election holds each scrutin's ``.bel``, roll, émargements, the audit log, the seals and the
PVs, each file with its SHA-256 in a manifest whose fingerprint is sealed in the audit log
and which ``urne-seal-check`` checks; the destruction is refused before the two years, while
a litigation hold is set and without a bundle; after it only the candidatures and the PVs
remain in the three stores, the bundle's file is gone, and each act is audited. Every
table is either destroyed, kept or the platform's (a new one fails here)."""

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from factories.count import count_world_make, holder_bundle
from factories.elections import staff_make
from urne.audit.models import AuditEvent
from urne.audit.services import audit_chain_check
from urne.authority.models import CodeSlot, PublicCredential, ScrutinSetup
from urne.booth.models import Emargement
from urne.count.models import ScrutinCount
from urne.count.services import count_open, decryptions_upload, result_proclaim
from urne.crypto.archive import read_records
from urne.elections.models import (
    Candidate,
    CandidateList,
    Election,
    ImportJob,
    RollEntry,
    Voter,
)
from urne.site import retention
from urne.site.models import RetainedPV, RetentionBundle
from urne.urn.models import UrnBallot, UrnRecord, UrnScrutin
from urne.urn.selectors import urn_archive_bytes
from urne.verify.seal import export_check

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])

LATER = timedelta(days=3 * 365)


def _counted(scrutins=2):
    world = count_world_make(voters=4, lists=2, scrutins=scrutins)
    for i in range(scrutins):  # the published rolls, as the seal reads them
        RollEntry.objects.bulk_create(
            RollEntry(scrutin=world.scrutin(i), voter=v) for v in world.setup.voters
        )
    holders = [staff_make("bureau"), staff_make("delegate"), staff_make("delegate")]
    count_open(election=world.election, actor=holders[0])
    for n, holder in enumerate(holders):
        decryptions_upload(election=world.election, actor=holder, content=holder_bundle(world, n))
    for i in range(scrutins):
        result_proclaim(scrutin=world.scrutin(i), actor=holders[0], seed="graine")
    return world


def _actions(prefix="retention."):
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("seq")
        .values_list("action", "data")
    )


def test_the_bundle_holds_every_file_with_its_hash_and_is_sealed(tmp_path):
    world = _counted()
    election = world.election
    out = io.StringIO()
    call_command("election_retain", election=election.pk, out=str(tmp_path), stdout=out)
    record = RetentionBundle.objects.get(election=election)
    assert record.fingerprint in out.getvalue()
    path = tmp_path / record.path.rsplit("/", 1)[-1]
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        files = {n: zf.read(n) for n in names if n.startswith("files/")}
    assert manifest["fingerprint"] == record.fingerprint
    assert manifest["meta"]["kind"] == "retention"
    uuids = [world.scrutin(i).uuid for i in range(2)]
    components = manifest["components"]
    assert set(components) == {"archives", "rolls", "emargements", "audit", "seals", "pvs"}
    assert set(components["archives"]) == {f"archives/{u}.bel" for u in uuids}
    assert set(components["pvs"]) == {f"pvs/{u}.pdf" for u in uuids} | {"pvs/national.pdf"}
    assert any(n.endswith(".pv.pdf") for n in components["seals"])  # the freeze's seal
    # Every file listed with its SHA-256, and nothing else in the bundle.
    listed = {f"files/{e}": h for entries in components.values() for e, h in entries.items()}
    assert set(files) == set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    # The contents: the archive byte-exact, the émargements of every voter, the PVs kept.
    for u in uuids:
        assert files[f"files/archives/{u}.bel"] == urn_archive_bytes(scrutin_uuid=u)
        assert len(list(read_records(files[f"files/archives/{u}.bel"]))) > 6
        assert len(files[f"files/rolls/{u}.tsv"].decode().splitlines()) == 4
        lines = files[f"files/emargements/{u}.tsv"].decode().splitlines()
        assert len(lines) == 4 and all("\tvoted\t" in line for line in lines)
        assert files[f"files/pvs/{u}.pdf"].startswith(b"%PDF-")
    kept = {pv.name: bytes(pv.content) for pv in RetainedPV.objects.filter(election=election)}
    assert kept == {n[len("files/") :]: d for n, d in files.items() if n.startswith("files/pvs/")}
    # Sealed: the fingerprint is in the audit chain, and the outside check finds it whole.
    [(action, data)] = _actions()
    assert action == "retention.bundle_written" and data["fingerprint"] == record.fingerprint
    report = export_check(path, expected=record.fingerprint)
    assert report.ok, report.to_json()
    # A file changed in the bundle is named by the check.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == f"files/emargements/{uuids[0]}.tsv":
                body = body.replace(b"voted", b"pending", 1)
            dst.writestr(name, body)
    bad = export_check(tampered, expected=record.fingerprint)
    assert not bad.ok and bad.changes[0].component == "emargements"


def test_no_bundle_before_the_end_of_the_vote(tmp_path):
    world = count_world_make(voters=2, lists=2, scrutins=1, over=False)
    with pytest.raises(CommandError, match="vote_not_over"):
        call_command("election_retain", election=world.election.pk, out=str(tmp_path))
    assert not RetentionBundle.objects.exists()


def test_destruction_is_refused_before_the_period_and_without_a_bundle(tmp_path):
    world = _counted(scrutins=1)
    election = world.election
    with pytest.raises(retention.RetentionError, match="no_bundle"):
        retention.election_destroy(election=election, now=timezone.now() + LATER)
    retention.retention_bundle_write(election=election, folder=tmp_path)
    end = retention.retention_end(election)
    assert end is not None and end.year == election.vote_closes.year + 2
    with pytest.raises(CommandError, match="retention period is not over"):
        call_command("election_destroy", election=election.pk)
    with pytest.raises(retention.RetentionError, match="period_running"):
        retention.election_destroy(election=election, now=end - timedelta(seconds=1))
    assert UrnBallot.objects.using("urn").filter(scrutin__uuid=world.scrutin().uuid).count() == 4
    assert Voter.objects.filter(election=election).count() == 4
    assert not [a for a, _ in _actions() if a == "retention.destroyed"]


def test_destruction_is_refused_while_a_hold_is_set(tmp_path):
    world = _counted(scrutins=1)
    election = world.election
    retention.retention_bundle_write(election=election, folder=tmp_path)
    out = io.StringIO()
    call_command(
        "election_hold",
        election=election.pk,
        set="Recours TA Paris n° 2601234",
        by="dupont",
        stdout=out,
    )
    with pytest.raises(CommandError, match="hold_already_set"):
        call_command("election_hold", election=election.pk, set="encore")
    with pytest.raises(retention.RetentionError, match="hold"):
        retention.election_destroy(election=election, now=timezone.now() + LATER)
    assert Emargement.objects.filter(scrutin__election=election).count() == 4
    call_command("election_hold", election=election.pk, lift="Jugement du 3 mars", by="dupont")
    with pytest.raises(CommandError, match="no_hold"):
        call_command("election_hold", election=election.pk, lift="encore")
    actions = _actions()
    assert [a for a, _ in actions] == [
        "retention.bundle_written",
        "retention.hold_set",
        "retention.hold_lifted",
    ]
    assert actions[1][1]["reason"] == "Recours TA Paris n° 2601234"
    assert AuditEvent.objects.get(action="retention.hold_set").actor == "operator:dupont"
    retention.election_destroy(election=election, now=timezone.now() + LATER)


def _election_rows(election, uuids):
    """Rows of the election by table, in the three stores."""
    return {
        "urn": UrnScrutin.objects.using("urn").filter(uuid__in=uuids).count()
        + UrnRecord.objects.using("urn").filter(scrutin__uuid__in=uuids).count(),
        "authority": CodeSlot.objects.using("authority").filter(election_id=election.pk).count()
        + PublicCredential.objects.using("authority").filter(scrutin_uuid__in=uuids).count()
        + ScrutinSetup.objects.using("authority").filter(election_id=election.pk).count(),
        "voters": Voter.objects.filter(election=election).count(),
        "roll": RollEntry.objects.filter(scrutin__election=election).count(),
        "emargements": Emargement.objects.filter(scrutin__election=election).count(),
    }


def test_destruction_leaves_only_the_candidatures_and_the_pvs(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)  # several batches per table
    world = _counted()
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = tmp_path / "media" / "imports" / "electeurs.csv"
    upload.parent.mkdir(parents=True)
    upload.write_text("numen;nom\n")
    operators = tmp_path / "fichier-de-l-operateur.csv"  # named on the command line: stays
    operators.write_text("numen;nom\n")
    for path in (upload, operators):
        ImportJob.objects.create(election=world.election, filename=path.name, path=str(path))
    other = count_world_make(voters=2, lists=2, scrutins=1)  # another election, untouched
    election = world.election
    uuids = [world.scrutin(i).uuid for i in range(2)]
    lists_before = sorted(
        CandidateList.objects.filter(scrutin__election=election).values_list("label", flat=True)
    )
    candidates_before = Candidate.objects.filter(candidate_list__scrutin__election=election).count()
    bundle = retention.retention_bundle_write(election=election, folder=tmp_path)
    pvs_before = {p.name: p.sha256 for p in RetainedPV.objects.filter(election=election)}
    assert all(_election_rows(election, uuids).values())
    other_before = _election_rows(other.election, [other.scrutin().uuid])

    deleted = retention.election_destroy(
        election=election, actor="system:test", now=timezone.now() + LATER
    )

    assert not any(_election_rows(election, uuids).values())
    assert _election_rows(other.election, [other.scrutin().uuid]) == other_before
    assert not (tmp_path / bundle.record.path.rsplit("/", 1)[-1]).exists()
    assert not upload.exists() and operators.exists()
    assert deleted["urn.UrnBallot"] == 8 and deleted["elections.Voter"] == 4
    # What is left of the election: the candidatures, the count's figures, the PVs.
    assert Election.objects.filter(pk=election.pk).exists()
    assert (
        sorted(
            CandidateList.objects.filter(scrutin__election=election).values_list("label", flat=True)
        )
        == lists_before
    )
    assert (
        Candidate.objects.filter(candidate_list__scrutin__election=election).count()
        == candidates_before
    )
    assert ScrutinCount.objects.filter(scrutin__election=election).count() == 2
    kept = {p.name: p.sha256 for p in RetainedPV.objects.filter(election=election)}
    assert kept == pvs_before and len(kept) == 3
    for pv in RetainedPV.objects.filter(election=election):
        assert hashlib.sha256(bytes(pv.content)).hexdigest() == pv.sha256
    # No row of the election outside KEPT, in any table that names it.
    for label, _store, where in retention.DESTROYED:
        model = apps.get_model(label)
        alias = _store
        scope = retention.Scope(
            election=election,
            scrutin_ids=tuple(world.scrutin(i).pk for i in range(2)),
            uuids=tuple(uuids),
        )
        assert not model.objects.using(alias).filter(where(scope)).exists(), label
    # Audited, the chain whole; a second destruction is refused.
    [(_a, data)] = [(a, d) for a, d in _actions() if a == "retention.destroyed"]
    assert data["deleted"]["urn.UrnBallot"] == 8 and data["files_removed"] == 2
    assert audit_chain_check().ok
    with pytest.raises(retention.RetentionError, match="destroyed"):
        retention.election_destroy(election=election, now=timezone.now() + LATER)
    assert RetentionBundle.objects.get(election=election).destroyed_at is not None


def test_every_table_is_destroyed_kept_or_the_platforms():
    destroyed = {label for label, _, _ in retention.DESTROYED}
    labels = {m._meta.label for m in apps.get_models(include_auto_created=True)}
    assert not (destroyed & retention.KEPT) and not (destroyed & retention.PLATFORM)
    assert not (retention.KEPT & retention.PLATFORM)
    unclassified = labels - destroyed - retention.KEPT - retention.PLATFORM
    assert not unclassified, f"say in urne.site.retention what becomes of {unclassified}"
    assert destroyed | retention.KEPT | retention.PLATFORM <= labels


def test_the_period_is_two_full_years():
    e = Election(name="x", vote_closes=datetime(2024, 2, 29, 17, tzinfo=UTC))
    assert retention.retention_end(e) == datetime(2026, 3, 1, 17, tzinfo=UTC)
    e.vote_closes = datetime(2026, 12, 4, 17, tzinfo=UTC)
    assert retention.retention_end(e) == datetime(2028, 12, 4, 17, tzinfo=UTC)
