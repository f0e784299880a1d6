"""The 2-year sealed retention (ADR 0573; docs/operations.md, "Retention").

After the vote an election's evidence is kept under seal for two years from the close in
force (``elections.calendar.vote_end``), then destroyed, except the candidatures (its unions,
candidate lists, candidates and their professions de foi) and the procès-verbaux.

- ``retention_bundle_write`` (``manage.py election_retain``) writes one bundle per election:
  a zip in the seal export's format (``urne.verify.seal``: ``manifest.json`` with the SHA-256
  of each file, the components' digests and the fingerprint, and ``files/...``), so that
  ``urne-seal-check`` checks it without the server. It holds each scrutin's ``.bel`` archive,
  published roll and émargement list, the audit log up to its head, every seal's manifest, its
  checks and its PV, and the PVs of the count. The bundle's fingerprint is sealed in the audit
  log's hash chain (``retention.bundle_written``) and recorded (``RetentionBundle``); the PVs
  are kept as written (``RetainedPV``), since they are drawn from records the destruction
  removes.
- ``litigation_hold_set`` / ``litigation_hold_lift`` (``manage.py election_hold``): an appeal
  pending stops the destruction; both audited.
- ``election_destroy`` (``manage.py election_destroy``): refused before the period's end,
  while a hold is set, or without a bundle; then every row of the election in the three
  stores but those of ``KEPT`` is deleted (``DESTROYED``, in that order), the files of its
  bundles removed, and the counts audited (``retention.destroyed``). It runs with the stores'
  owners: the runtime roles may not delete from the urn (ADR 0570).

The audit log itself is not destroyed: it is one hash chain for every election, so removing
an election's events would break the check of all later ones, and it records the destruction
(ADR 0573 says what it keeps).
"""

from __future__ import annotations

import calendar as _cal
import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from urne.audit.services import audit_append
from urne.elections.calendar import vote_end
from urne.elections.models import Election, Scrutin
from urne.verify.seal import manifest_make

from .models import LitigationHold, RetainedPV, RetentionBundle

#: How long the evidence is kept under seal after the close in force.
RETENTION_YEARS = 2
AUTHORITY = "authority"
URN = "urn"

#: The rows that outlive the destruction: the candidatures, the PVs (the count's figures and
#: the PVs as written), what they hang on, and the retention's own records.
KEPT = frozenset(
    {
        "elections.Election",
        "elections.Body",
        "elections.Scrutin",
        "elections.Union",
        "elections.CandidateList",
        "elections.ListUnion",
        "elections.Candidate",
        "count.ScrutinCount",
        "urne_site.RetentionBundle",
        "urne_site.RetainedPV",
        "urne_site.LitigationHold",
    }
)

#: The platform's tables, not an election's (staff, sessions, tasks, rate counters, the
#: audit log, the gateways' settings); a table of none of the three sets fails a test.
PLATFORM = frozenset(
    {
        "admin.LogEntry",
        "auth.Permission",
        "auth.Group_permissions",
        "auth.Group",
        "auth.User_groups",
        "auth.User_user_permissions",
        "auth.User",
        "contenttypes.ContentType",
        "sessions.Session",
        "django_tasks_database.DBTaskResult",
        "otp_totp.TOTPDevice",
        "urne_site.RateCounter",
        "audit.AuditEvent",
        "audit.AuditHead",
        "backoffice.Backoffice",
        "backoffice.StaffLoginFailure",
        "accounts.FranceConnectNonce",
        "messaging.SmsGateway",
    }
)


@dataclass(frozen=True)
class Scope:
    """What the destruction filters on: the election, its scrutins' ids and uuids, and the
    rehearsals' urns."""

    election: Election
    scrutin_ids: tuple[int, ...]
    uuids: tuple[str, ...]


def _urn_uuids(s: Scope) -> Q:
    return Q(uuid__in=s.uuids)


def _credential_uuids(s: Scope) -> Q:
    return Q(scrutin_uuid__in=s.uuids)


def _by_election_id(s: Scope) -> Q:
    return Q(election_id=s.election.pk)


def _lookup(path: str) -> Callable[[Scope], Q]:
    return lambda s: Q(**{path: s.election.pk})


#: Every table of an election that is destroyed: (model label, store, filter), in the order
#: that the foreign keys (several PROTECT) allow; a deletion also removes what cascades from
#: it (many-to-many rows, tokens, messages), counted under the label that started it.
DESTROYED: tuple[tuple[str, str, Callable[[Scope], Q]], ...] = (
    ("urn.UrnBallot", URN, lambda s: Q(scrutin__uuid__in=s.uuids)),
    ("urn.UrnEvent", URN, lambda s: Q(scrutin__uuid__in=s.uuids)),
    ("urn.UrnRecord", URN, lambda s: Q(scrutin__uuid__in=s.uuids)),
    ("urn.UrnScrutin", URN, _urn_uuids),
    ("authority.PublicCredential", AUTHORITY, _credential_uuids),
    ("authority.CodeSlot", AUTHORITY, _by_election_id),
    ("authority.CredentialSet", AUTHORITY, _by_election_id),
    ("authority.ScrutinSetup", AUTHORITY, lambda s: _by_election_id(s) | _credential_uuids(s)),
    ("authority.ReassortGrant", AUTHORITY, _by_election_id),
    ("authority.PhoneDigest", AUTHORITY, _by_election_id),
    ("booth.Emargement", "default", _lookup("scrutin__election")),
    ("booth.BoothEntry", "default", _lookup("scrutin__election")),
    ("elections.RollEntry", "default", _lookup("scrutin__election")),
    ("elections.RollAdjustment", "default", _lookup("scrutin__election")),
    ("count.DecryptionUpload", "default", _lookup("scrutin__election")),
    ("bureau.ParticipationTick", "default", lambda s: Q(scrutin_id__in=s.scrutin_ids)),
    ("bureau.ParticipationCount", "default", _lookup("scrutin__election")),
    ("bureau.ParticipationHour", "default", _lookup("scrutin__election")),
    ("bureau.ParticipationRoll", "default", _lookup("scrutin__election")),
    ("bureau.ParticipationElectionHour", "default", _lookup("election")),
    ("bureau.SealDecision", "default", _lookup("seal_check__seal__election")),
    ("bureau.SealCheck", "default", _lookup("seal__election")),
    ("bureau.SealConfirmation", "default", _lookup("seal__election")),
    ("bureau.Seal", "default", _lookup("election")),
    ("bureau.Freeze", "default", _lookup("election")),
    ("bureau.Rehearsal", "default", _lookup("election")),
    ("bureau.ControlDecision_members_present", "default", _lookup("controldecision__election")),
    ("bureau.ControlDecision", "default", _lookup("election")),
    ("bureau.KeyLoss", "default", _lookup("bureau__election")),
    ("bureau.CeremonyHolder", "default", _lookup("ceremony__bureau__election")),
    ("bureau.Ceremony", "default", _lookup("bureau__election")),
    ("bureau.Invitation", "default", _lookup("member__bureau__election")),
    ("bureau.Member", "default", _lookup("bureau__election")),
    ("bureau.Bureau_scrutins", "default", _lookup("bureau__election")),
    ("bureau.Bureau", "default", _lookup("election")),
    ("portal.ReplacementRequest", "default", _lookup("voter__election")),
    ("portal.AssistanceRequest", "default", _lookup("election")),
    ("messaging.OutboxMessage", "default", _lookup("voter__election")),
    ("messaging.SmsMessage", "default", _lookup("voter__election")),
    ("messaging.Campaign", "default", _lookup("election")),
    ("accounts.AccountToken", "default", _lookup("account__election")),
    ("accounts.VoterAccount", "default", _lookup("election")),
    ("accounts.AccountPolicy", "default", _lookup("election")),
    ("elections.Complaint", "default", _lookup("election")),
    ("elections.ImportRowError", "default", _lookup("job__election")),
    ("elections.ImportJob", "default", _lookup("election")),
    ("elections.Voter", "default", _lookup("election")),
    ("elections.VoterCategory_bodies", "default", _lookup("votercategory__election")),
    ("elections.VoterCategory", "default", _lookup("election")),
)


class RetentionError(Exception):
    """A refused retention act; nothing was changed. ``code`` is stable."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# --- the period and the hold --------------------------------------------------------------


def _years_later(moment: datetime, years: int) -> datetime:
    """The same instant ``years`` later; a 29 February goes to the 1st of March (never less
    than the full years)."""
    year = moment.year + years
    if moment.month == 2 and moment.day == 29 and not _cal.isleap(year):
        return moment.replace(year=year, month=3, day=1)
    return moment.replace(year=year)


def retention_end(election: Election) -> datetime | None:
    """When the election's retention period ends: two years after the close in force (None
    while the election has no close)."""
    end = vote_end(election)
    return _years_later(end, RETENTION_YEARS) if end is not None else None


def hold_current(election: Election) -> LitigationHold | None:
    return LitigationHold.objects.filter(election=election, lifted_at__isnull=True).first()


def _actor_name(actor: Any) -> str:
    if actor is None:
        return "system"
    return actor if isinstance(actor, str) else str(actor.get_username())


def litigation_hold_set(*, election: Election, reason: str, actor: Any) -> LitigationHold:
    """An appeal pending: the destruction is refused until the hold is lifted (audited)."""
    reason = reason.strip()
    if not reason:
        raise RetentionError("empty_reason")
    with transaction.atomic():
        Election.objects.select_for_update().filter(pk=election.pk).first()
        if hold_current(election) is not None:
            raise RetentionError("hold_already_set")
        hold = LitigationHold.objects.create(
            election=election, reason=reason, set_at=timezone.now(), set_by=_actor_name(actor)
        )
        audit_append(
            actor=actor,
            action="retention.hold_set",
            obj=election,
            data={"hold": hold.pk, "reason": reason},
        )
    return hold


def litigation_hold_lift(*, election: Election, reason: str, actor: Any) -> LitigationHold:
    """The appeal decided: the hold is lifted (audited), the destruction allowed again once
    the period is over."""
    reason = reason.strip()
    if not reason:
        raise RetentionError("empty_reason")
    with transaction.atomic():
        hold = (
            LitigationHold.objects.select_for_update()
            .filter(election=election, lifted_at__isnull=True)
            .first()
        )
        if hold is None:
            raise RetentionError("no_hold")
        hold.lifted_at = timezone.now()
        hold.lifted_by = _actor_name(actor)
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit_append(
            actor=actor,
            action="retention.hold_lifted",
            obj=election,
            data={"hold": hold.pk, "reason": reason},
        )
    return hold


# --- the bundle ---------------------------------------------------------------------------

Source = Callable[[], Iterator[bytes]]


def _bytes(data: bytes) -> Source:
    return lambda: iter((data,))


def _archive(uuid: str) -> Source:
    from urne.urn.selectors import urn_archive_chunks

    return lambda: urn_archive_chunks(scrutin_uuid=uuid)


def _seal_sources(election: Election) -> dict[str, Source]:
    from urne.bureau.models import Seal
    from urne.bureau.seal_pv import seal_pv_pdf

    out: dict[str, Source] = {}
    for seal in Seal.objects.filter(election=election).order_by("pk"):
        name = f"seals/{seal.kind}-{seal.pk}"
        out[f"{name}.manifest.json"] = _bytes(seal.manifest.encode())
        checks = [
            {
                "at": c.at.isoformat(),
                "reason": c.reason,
                "ok": c.ok,
                "changes": c.changes,
                "decision": getattr(getattr(c, "decision", None), "text", None),
            }
            for c in seal.checks.order_by("pk").select_related("decision")
        ]
        record = {
            "kind": seal.kind,
            "fingerprint": seal.fingerprint,
            "computed_at": seal.computed_at.isoformat() if seal.computed_at else None,
            "sealed_at": seal.sealed_at.isoformat() if seal.sealed_at else None,
            "confirmations": [
                [c.member.role, c.at.isoformat()]
                for c in seal.confirmations.order_by("pk").select_related("member")
            ],
            "checks": checks,
        }
        out[f"{name}.record.json"] = _bytes(json.dumps(record, indent=1, sort_keys=True).encode())
        if seal.sealed_at is not None:
            out[f"{name}.pv.pdf"] = _bytes(seal_pv_pdf(seal=seal))
    return out


def _pvs(election: Election) -> list[tuple[Scrutin | None, str, bytes]]:
    """The count's PVs as the results pages serve them: each proclaimed scrutin's and the
    national one."""
    from urne.authority.selectors import replacement_codes_issued
    from urne.count.pv_pdf import national_pv_pdf, scrutin_pv_pdf
    from urne.count.results import body_totals, scrutin_results

    results = scrutin_results(election=election)
    if not results:
        return []
    issued = replacement_codes_issued(election_id=election.pk)
    out: list[tuple[Scrutin | None, str, bytes]] = [
        (r.scrutin, f"pvs/{r.scrutin.uuid}.pdf", scrutin_pv_pdf(r, issued=issued)) for r in results
    ]
    totals = body_totals(election=election, results=results)
    national = national_pv_pdf(election=election, results=results, totals=totals)
    out.append((None, "pvs/national.pdf", national))
    return out


def _audit_head() -> int:
    from urne.audit.models import AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    return head.last_seq if head is not None else 0


@dataclass
class Bundle:
    record: RetentionBundle
    manifest: dict[str, Any] = field(default_factory=dict)


def retention_folder() -> Path:
    """Where a bundle is written unless told: ``URNE_VAR/retention`` (from there it is copied
    to the sealed storage, docs/operations.md, "Retention")."""
    return Path(settings.VAR_DIR) / "retention"


def retention_bundle_write(
    *, election: Election, actor: Any = None, folder: Path | None = None
) -> Bundle:
    """Write the election's retention bundle (once its vote is over) into ``folder``
    (``retention_folder()`` by default), keep its PVs and seal its fingerprint in the audit
    log. Each call writes a new bundle (after a recount, say); the destruction removes all."""
    from urne.bureau.seal import record_sources
    from urne.elections.calendar import vote_over

    if not vote_over(election=election):
        raise RetentionError("vote_not_over")
    end = retention_end(election)
    if end is None:  # the vote is over, so it has a close; kept for the type checker
        raise RetentionError("vote_not_over")
    upto = _audit_head()
    now = timezone.now()
    sources = record_sources(election=election, audit_upto=upto)
    components: dict[str, dict[str, Source]] = {
        "archives": {
            f"archives/{s.uuid}.bel": _archive(s.uuid) for s in election.scrutins.order_by("pk")
        },
        **sources,
        "seals": _seal_sources(election),
        "pvs": {},
    }
    pvs = _pvs(election)
    for _scrutin, name, pdf in pvs:
        components["pvs"][name] = _bytes(pdf)
    folder = folder or retention_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"election-{election.pk}-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"
    entries: dict[str, dict[str, str]] = {name: {} for name in components}
    meta = {
        "kind": "retention",
        "election_name": election.name,
        "audit_upto": upto,
        "written_at": now.isoformat(),
        "period_end": end.isoformat(),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for component, files in components.items():
            for entry, source in files.items():
                h = hashlib.sha256()
                with zf.open(f"files/{entry}", "w", force_zip64=True) as f:
                    for chunk in source():
                        h.update(chunk)
                        f.write(chunk)
                entries[component][entry] = h.hexdigest()
        manifest = manifest_make(election=election.pk, components=entries, meta=meta)
        zf.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
    with transaction.atomic():
        record = RetentionBundle.objects.create(
            election=election,
            written_at=now,
            period_end=end,
            path=str(path),
            size=path.stat().st_size,
            fingerprint=manifest["fingerprint"],
            manifest=json.dumps(manifest, sort_keys=True),
        )
        for scrutin, name, pdf in pvs:
            RetainedPV.objects.update_or_create(
                election=election,
                name=name,
                defaults={
                    "scrutin": scrutin,
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                    "content": pdf,
                    "written_at": now,
                },
            )
        audit_append(
            actor=actor,
            action="retention.bundle_written",
            obj=election,
            data={
                "bundle": record.pk,
                "fingerprint": record.fingerprint,
                "digests": manifest["digests"],
                "period_end": end.isoformat(),
                "path": path.name,
            },
        )
    return Bundle(record=record, manifest=manifest)


# --- the destruction ----------------------------------------------------------------------


def _model(label: str) -> Any:
    from django.apps import apps

    app, name = label.split(".")
    return apps.get_model(app, name)


def _scope(election: Election) -> Scope:
    from urne.bureau.models import Rehearsal

    scrutins = list(election.scrutins.values_list("pk", "uuid"))
    rehearsal_urns = [
        uuid
        for urns in Rehearsal.objects.filter(election=election).values_list("urns", flat=True)
        for uuid in (urns or {}).values()
    ]
    return Scope(
        election=election,
        scrutin_ids=tuple(pk for pk, _ in scrutins),
        uuids=tuple([u for _, u in scrutins] + rehearsal_urns),
    )


def destruction_refusal(*, election: Election, now: datetime | None = None) -> str | None:
    """Why the election may not be destroyed now, or None: ``no_bundle`` (no bundle was
    written), ``period_running`` (before the end of the two years), ``hold`` (an appeal
    pending), ``destroyed`` (done already)."""
    now = now or timezone.now()
    bundles = RetentionBundle.objects.filter(election=election)
    if not bundles.exists():
        return "no_bundle"
    if not bundles.filter(destroyed_at__isnull=True).exists():
        return "destroyed"
    end = retention_end(election)
    if end is None or now < end:
        return "period_running"
    if hold_current(election) is not None:
        return "hold"
    return None


def _uploads_discard(election: Election) -> int:
    """The election's voter files still in the uploads folder, deleted as after an import
    (``voter_import.upload_discard``: a file named on the command line is the operator's)."""
    from urne.elections.models import ImportJob
    from urne.elections.voter_import import upload_discard

    jobs = list(ImportJob.objects.filter(election=election).exclude(path=""))
    for job in jobs:
        upload_discard(job)
    return sum(not job.path for job in jobs)


#: Rows deleted per statement: a national election's 1.1 M voters are never all in memory.
BATCH = 5000


def _delete(queryset: Any) -> dict[str, int]:
    """Delete ``queryset`` in batches of ``BATCH`` primary keys (with what cascades)."""
    counts: dict[str, int] = {}
    model = queryset.model
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not pks:
            return counts
        _total, by_label = model.objects.using(queryset.db).filter(pk__in=pks).delete()
        for name, n in by_label.items():
            counts[name] = counts.get(name, 0) + n


def election_destroy(
    *, election: Election, actor: Any = None, now: datetime | None = None
) -> dict[str, int]:
    """Destroy the election at the end of its retention period: every row of ``DESTROYED``
    in the three stores, its uploads and its bundles' files; ``KEPT`` stays. Refused (a
    ``RetentionError`` with ``destruction_refusal``'s code) otherwise. Returns the rows
    deleted by table; audited. Each store is its own transaction, the urn's and the
    authority's first: a failure midway is finished by running the command again."""
    refusal = destruction_refusal(election=election, now=now)
    if refusal is not None:
        raise RetentionError(refusal)
    scope = _scope(election)
    uploads = _uploads_discard(election)
    deleted: dict[str, int] = {}
    for alias in (URN, AUTHORITY, "default"):
        with transaction.atomic(using=alias):
            for label, store, where in DESTROYED:
                if store != alias:
                    continue
                by_label = _delete(_model(label).objects.using(alias).filter(where(scope)))
                for name, n in by_label.items():
                    if n:
                        deleted[name] = deleted.get(name, 0) + n
    removed = uploads
    for bundle in RetentionBundle.objects.filter(election=election):
        path = Path(bundle.path)
        if path.is_file():
            path.unlink()
            removed += 1
    with transaction.atomic():
        RetentionBundle.objects.filter(election=election).update(destroyed_at=timezone.now())
        audit_append(
            actor=actor,
            action="retention.destroyed",
            obj=election,
            data={
                "deleted": dict(sorted(deleted.items())),
                "files_removed": removed,
                "kept": sorted(KEPT),
            },
        )
    return deleted
