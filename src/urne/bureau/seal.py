"""The seal (scellement, ADR 0750): the fingerprint of what the vote rests on, made before the
opening in the presence of the president and at least two delegates, re-checked on demand, at
the closing and at the count, sealed again at the freeze.

What is sealed (one manifest, ``urne.verify.seal``): every file of the installed package and
the booth's bundle as served; the settings of ``SEALED_SETTINGS``; each scrutin's published
roll; its candidate lists and their PDFs; its public credentials, in the authority and in the
urn (the credentials, not their statuses: a replacement during the vote changes a status,
audited, and keeps the seal); the trustees' public keys; the urn's setup records; the audit
log up to its head (an edit of an earlier event changes it, a later event does not). The
freeze's seal adds the ballot boxes up to their height and the émargements.

Public API for the other parts of the polling station: ``seal_check(election=…)`` and
``seal_freeze(election=…)``; the count asks ``seal_refusal_code`` (``count.rules``); the
calendar asks ``election_sealed``.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import urne
from urne.audit.models import AuditEvent, AuditHead
from urne.audit.services import audit_append
from urne.elections.eligibility import rolls_published
from urne.elections.models import CandidateList, Election, RollEntry, Scrutin
from urne.verify.seal import (
    AUDIT_FILE,
    COMPONENTS,
    FREEZE_COMPONENTS,
    HASH_ONLY,
    SERVED_BUNDLE,
    Change,
    audit_line,
    canonical,
    code_files,
    components_compare,
    manifest_make,
)

from .models import Member, Rehearsal, Seal, SealCheck, SealConfirmation, SealDecision
from .selectors import bureau_member

#: The settings the vote's rules depend on (a change after the seal is named by the check).
#: Never a secret: SECRET_KEY, URNE_AUTHORITY_KEY and the databases' passwords stay out.
SEALED_SETTINGS = (
    "URNE_CAST_GRACE_SECONDS",
    "URNE_RATE_LIMITS",
    "URNE_TRUSTED_PROXIES",
    "URNE_BEHIND_PROXY",
    "URNE_STORES",
    "DATABASE_ROUTERS",
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "AUTH_PASSWORD_VALIDATORS",
    "PASSWORD_HASHERS",
    "URNE_PASSWORD_POLICIES",
    "URNE_SECRET_FAILURES_BEFORE_CAPTCHA",
    "URNE_CAPTCHA_ENABLED",
    "URNE_STAFF_SESSION_IDLE_SECONDS",
    "URNE_STAFF_SESSION_MAX_SECONDS",
    "URNE_STAFF_CAPTCHA_AFTER_FAILURES",
    "URNE_VOTER_SESSION_IDLE_SECONDS",
    "URNE_VOTER_SESSION_MAX_SECONDS",
    "SESSION_ENGINE",
    "TIME_ZONE",
    "USE_TZ",
    "LANGUAGE_CODE",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "URNE_SEAL_CODE_ROOT",
)
#: The president and at least this many delegates confirm the seal (CGFP R211-503 to R211-584:
#: made in the presence of the president and two delegates).
DELEGATES_NEEDED = 2
AUTHORITY = "authority"
URN = "urn"
_BATCH = 20_000

Source = Callable[[], Iterator[bytes]]


class SealError(Exception):
    """A refused seal action; nothing was stored. ``code`` is stable, ``detail`` names what."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        text = seal_message(self.code)
        return f"{text} ({self.detail})" if self.detail else text


def seal_message(code: str) -> str:
    messages = {
        "not_member": _("Vous n'êtes pas membre du bureau de cette élection."),
        "not_president": _("Seul le président du bureau peut faire cela."),
        "not_holder": _("Seuls le président et les délégués de liste confirment le scellement."),
        "already_sealed": _("L'élection est déjà scellée."),
        "not_sealed": _("L'élection n'est pas encore scellée."),
        "rolls_not_published": _("Les listes électorales ne sont pas publiées."),
        "no_urn": _("Un scrutin n'a pas encore d'urne (écriture de la configuration)."),
        "urn_not_empty": _("Une urne n'est pas vide : le scellement se fait sur des urnes vides."),
        "no_rehearsal": _(
            "Aucun essai n'a été fait : le bureau fait un vote d'essai avant le scellement."
        ),
        "rehearsal_not_wiped": _("Le vote d'essai n'est pas encore effacé."),
        "state_changed": _(
            "Les données ont changé depuis le calcul de l'empreinte : calculez-la de nouveau."
        ),
        "already_confirmed": _("Vous avez déjà confirmé cette empreinte."),
        "no_mismatch": _("Aucune vérification en écart n'attend de décision."),
        "empty_decision": _("Écrivez la décision du bureau."),
    }
    return messages.get(code, code)


# --- the sources: each entry's bytes, computed the same way for the digest and the export --


def seal_code_root() -> Path:
    """The installed package's folder (``URNE_SEAL_CODE_ROOT`` to seal another copy)."""
    root = getattr(settings, "URNE_SEAL_CODE_ROOT", None)
    return Path(root) if root else Path(urne.__file__).resolve().parent


def _served_bundle() -> Path | None:
    """The booth's bundle as the server serves it: the collected copy when there is one,
    else the one the static finders serve."""
    from django.contrib.staticfiles import finders

    collected = Path(settings.STATIC_ROOT) / "booth" / "belenios.js"
    if collected.is_file():
        return collected
    found = finders.find("booth/belenios.js")
    return Path(found) if isinstance(found, str) else None


def _file(path: Path) -> Source:
    def read() -> Iterator[bytes]:
        with path.open("rb") as f:
            yield from iter(lambda: f.read(1 << 20), b"")

    return read


def _bytes(make: Callable[..., bytes], *args: Any) -> Source:
    def read() -> Iterator[bytes]:
        yield make(*args)

    return read


def _setting_json(name: str) -> bytes:
    return canonical(_jsonable(getattr(settings, name, None)))


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _code_sources() -> dict[str, Source]:
    out: dict[str, Source] = {name: _file(path) for name, path in code_files(seal_code_root())}
    bundle = _served_bundle()
    if bundle is not None:
        out[SERVED_BUNDLE] = _file(bundle)
    return out


def _settings_sources() -> dict[str, Source]:
    return {f"settings/{name}.json": _bytes(_setting_json, name) for name in SEALED_SETTINGS}


#: COPY's text format escapes these (PostgreSQL, "COPY", "Text Format"); the portable path
#: writes the same bytes, so both paths give one digest.
_COPY_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\v": "\\v",
    }
)


def _copy_text(value: object) -> str:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _lines(alias: str, queryset: Any, columns: tuple[str, ...]) -> Iterator[bytes]:
    """The rows of ``queryset`` as COPY text lines (tab-separated, escaped, ISO dates): on
    PostgreSQL COPY itself writes them (16 M credentials stream at the server's pace, no
    Python object per row), elsewhere the same bytes are written here."""
    rows = queryset.values_list(*columns)
    connection = connections[alias]
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        connection.ensure_connection()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3's cursor: its copy() streams COPY TO STDOUT
            with raw.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                for block in copy:
                    yield bytes(block)
        return
    yield from _lines_portable(rows)


def _lines_portable(rows: Any) -> Iterator[bytes]:
    """What COPY TO STDOUT writes for ``rows`` (a values_list), written in Python."""
    buf: list[str] = []
    for row in rows.iterator(chunk_size=_BATCH):
        buf.append("\t".join(_copy_text(v) for v in row))
        if len(buf) >= _BATCH:
            yield ("\n".join(buf) + "\n").encode()
            buf = []
    if buf:
        yield ("\n".join(buf) + "\n").encode()


def _roll_source(scrutin: Scrutin) -> Source:
    """The published roll (its ``RollEntry`` rows: the seal needs published rolls), read
    from the entries of this scrutin joined to their voters, in NUMEN order."""

    def read() -> Iterator[bytes]:
        yield from _lines(
            "default",
            RollEntry.objects.filter(scrutin=scrutin).order_by("voter__numen"),
            (
                "voter__numen",
                "voter__civility",
                "voter__last_name",
                "voter__first_name",
                "voter__birth_date",
            ),
        )

    return read


def _list_json(cl: CandidateList) -> bytes:
    """A list as sealed: its label, unions (with their declared shares) and candidates
    (read from the prefetched rows, sorted here)."""
    unions = sorted(cl.listunion_set.all(), key=lambda lu: lu.union.acronym)
    return canonical(
        {
            "label": cl.label,
            "unions": [
                {
                    "acronym": lu.union.acronym,
                    "name": lu.union.name,
                    # A joint list's split key, as typed ("60.00"; None without one).
                    "share": None if lu.share is None else str(lu.share),
                }
                for lu in unions
            ],
            "candidates": [
                [c.position, c.last_name, c.first_name, c.gender]
                for c in sorted(cl.candidates.all(), key=lambda c: c.position)
            ],
            "profession_de_foi": bool(cl.profession_de_foi),
        }
    )


def _lists(election: Election) -> dict[int, list[CandidateList]]:
    """The election's candidate lists by scrutin id, unions and candidates prefetched (three
    statements for the whole election)."""
    out: dict[int, list[CandidateList]] = {}
    rows = (
        CandidateList.objects.filter(scrutin__election=election)
        .order_by("scrutin_id", "pk")
        .prefetch_related("listunion_set__union", "candidates")
    )
    for cl in rows:
        out.setdefault(cl.scrutin_id, []).append(cl)
    return out


def _pdf_source(cl: CandidateList) -> Source:
    def read() -> Iterator[bytes]:
        with cl.profession_de_foi.open("rb") as f:
            yield from iter(lambda: f.read(1 << 20), b"")

    return read


class _StoreHashed:
    """A source whose SHA-256 PostgreSQL computes where the bytes are (``sha256()``: the
    largest entries, hundreds of megabytes, are not sent to be hashed); its bytes are read
    only for the export, where the outside check hashes them again. Elsewhere, Python's."""

    def __init__(self, alias: str, read: Source, sql: str, params: list[Any]) -> None:
        self.alias, self.read, self.sql, self.params = alias, read, sql, params

    def __call__(self) -> Iterator[bytes]:
        return self.read()

    def digest(self) -> str | None:
        connection = connections[self.alias]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            row = cursor.fetchone()
        return str(row[0]) if row and row[0] else hashlib.sha256(b"").hexdigest()


def _authority_credentials(uuid: str) -> Source:
    from urne.authority.models import PublicCredential

    def read() -> Iterator[bytes]:
        yield from _lines(
            AUTHORITY,
            PublicCredential.objects.using(AUTHORITY)
            .filter(scrutin_uuid=uuid)
            .order_by("credential"),
            ("credential",),
        )

    # The same bytes as COPY's lines: a credential is hex, which COPY does not escape.
    sql = (
        "SELECT encode(sha256(convert_to(string_agg(credential || E'\\n', '' "
        "ORDER BY credential), 'UTF8')), 'hex') FROM authority_publiccredential "
        "WHERE scrutin_uuid = %s"
    )
    return _StoreHashed(AUTHORITY, read, sql, [uuid])


#: The setup's records in the urn (urn.services.urn_setup): their seq, and which component.
_SETUP_RECORDS = {
    0: ("urns", "0-header"),
    1: ("urns", "1-election.json"),
    2: ("trustees", ""),
    3: ("credentials", ""),
    4: ("urns", "4-setup.json"),
    5: ("urns", "5-event.json"),
}


def _small_records(head_ids: list[int]) -> dict[tuple[int, int], str]:
    """The setup's small records (all but the credentials) of every urn, in one statement."""
    from urne.urn.models import UrnRecord

    rows = (
        UrnRecord.objects.using(URN)
        .filter(scrutin_id__in=head_ids, seq__in=[k for k in _SETUP_RECORDS if k != 3])
        .values_list("scrutin_id", "seq", "body")
    )
    return {(sid, seq): body for sid, seq, body in rows}


def _text(value: str) -> bytes:
    return value.encode()


def _urn_record(head_id: int, seq: int) -> Source:
    from urne.urn.models import UrnRecord

    def read() -> Iterator[bytes]:
        body = (
            UrnRecord.objects.using(URN)
            .filter(scrutin_id=head_id, seq=seq)
            .values_list("body", flat=True)
            .first()
        )
        yield (body or "").encode()

    sql = (
        "SELECT encode(sha256(convert_to(body, 'UTF8')), 'hex') FROM urn_urnrecord "
        "WHERE scrutin_id = %s AND seq = %s"
    )
    return _StoreHashed(URN, read, sql, [head_id, seq])


def _audit_source(upto: int) -> Source:
    def read() -> Iterator[bytes]:
        rows = (
            AuditEvent.objects.filter(seq__lte=upto)
            .order_by("seq")
            .values(
                "seq",
                "at",
                "actor_id",
                "actor",
                "action",
                "object_type",
                "object_id",
                "data",
                "prev_hash",
                "hash",
            )
            .iterator(chunk_size=2000)
        )
        for ev in rows:
            yield audit_line({**ev, "at": ev["at"].isoformat()})

    return read


def _box_source(head_id: int, height: int) -> Source:
    from urne.urn.models import UrnBallot, UrnEvent

    def read() -> Iterator[bytes]:
        event = (
            UrnEvent.objects.using(URN)
            .filter(scrutin_id=head_id, height=height)
            .values_list("hash", flat=True)
            .first()
        )
        ballots = UrnBallot.objects.using(URN).filter(scrutin_id=head_id, height__lte=height)
        yield f"{height}\t{event or ''}\t{ballots.count()}\n".encode()

    return read


def _emargement_source(scrutin: Scrutin) -> Source:
    from urne.booth.models import Emargement

    def read() -> Iterator[bytes]:
        rows = (
            Emargement.objects.filter(scrutin=scrutin)
            .order_by("voter__numen")
            .values_list("voter__numen", "state", "voted_at")
            .iterator(chunk_size=_BATCH)
        )
        buf = [f"{n}\t{s}\t{v.isoformat() if v else ''}\n" for n, s, v in rows]
        yield "".join(buf).encode()

    return read


def _heads(election: Election) -> list[tuple[Scrutin, Any]]:
    from urne.urn.models import UrnScrutin

    scrutins = list(election.scrutins.select_related("election").order_by("pk"))
    heads = {
        h.uuid: h for h in UrnScrutin.objects.using(URN).filter(uuid__in=[s.uuid for s in scrutins])
    }
    return [(s, heads.get(s.uuid)) for s in scrutins]


def seal_sources(
    *, election: Election, audit_upto: int, boxes: dict[str, int] | None = None
) -> dict[str, dict[str, Source]]:
    """Every sealed entry of ``election`` and how to read its bytes, by component."""
    out: dict[str, dict[str, Source]] = {name: {} for name in COMPONENTS}
    out["code"] = _code_sources()
    out["settings"] = _settings_sources()
    heads = _heads(election)
    lists = _lists(election)
    small = _small_records([h.pk for _, h in heads if h is not None])
    for scrutin, head in heads:
        uuid = scrutin.uuid
        out["rolls"][f"rolls/{uuid}.tsv"] = _roll_source(scrutin)
        for cl in lists.get(scrutin.pk, []):
            out["lists"][f"lists/{uuid}/{cl.pk}.json"] = _bytes(_list_json, cl)
            if cl.profession_de_foi:
                out["lists"][f"lists/{uuid}/{cl.pk}.pdf"] = _pdf_source(cl)
        out["credentials"][f"credentials/{uuid}.authority.txt"] = _authority_credentials(uuid)
        if head is None:
            continue
        for seq, (component, name) in _SETUP_RECORDS.items():
            if component == "credentials":
                out["credentials"][f"credentials/{uuid}.urn.json"] = _urn_record(head.pk, seq)
                continue
            record = _bytes(_text, small.get((head.pk, seq), ""))
            if component == "urns":
                out["urns"][f"urns/{uuid}/{name}"] = record
            else:
                out["trustees"][f"trustees/{uuid}.json"] = record
    out["audit"] = {AUDIT_FILE: _audit_source(audit_upto)}
    if boxes is not None:
        out["boxes"] = {}
        out["emargements"] = {}
        for scrutin, head in heads:
            if head is not None and scrutin.uuid in boxes:
                out["boxes"][f"boxes/{scrutin.uuid}.txt"] = _box_source(
                    head.pk, boxes[scrutin.uuid]
                )
            out["emargements"][f"emargements/{scrutin.uuid}.tsv"] = _emargement_source(scrutin)
    return out


def record_sources(*, election: Election, audit_upto: int) -> dict[str, dict[str, Source]]:
    """The published rolls, the émargements and the audit log up to ``audit_upto`` of
    ``election``, read as the seal reads them (the retention bundle's files, ADR 0573)."""
    scrutins = list(election.scrutins.order_by("pk"))
    return {
        "rolls": {f"rolls/{s.uuid}.tsv": _roll_source(s) for s in scrutins},
        "emargements": {f"emargements/{s.uuid}.tsv": _emargement_source(s) for s in scrutins},
        "audit": {AUDIT_FILE: _audit_source(audit_upto)},
    }


def _digest(source: Source) -> str:
    if isinstance(source, _StoreHashed):
        stored = source.digest()
        if stored is not None:
            return stored
    h = hashlib.sha256()
    for chunk in source():
        h.update(chunk)
    return h.hexdigest()


#: Components hashed at once, each in a thread of its own with its own connections: the rolls
#: (voter store), the credentials (authority and urn) and the rest are read in parallel.
SEAL_WORKERS = 3


def _rolls_bulk(election: Election) -> dict[str, str] | None:
    """Every scrutin's roll digest from one statement (PostgreSQL): one hash join of the
    entries with the voters, sorted by scrutin then NUMEN, each COPY line, less its leading
    scrutin id, hashed into its scrutin's entry: the same bytes as ``_roll_source``'s, without
    one join per scrutin."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return None
    uuids = dict(Scrutin.objects.filter(election=election).values_list("pk", "uuid"))
    rows = (
        RollEntry.objects.filter(scrutin__election=election)
        .order_by("scrutin_id", "voter__numen")
        .values_list(
            "scrutin_id",
            "voter__numen",
            "voter__civility",
            "voter__last_name",
            "voter__first_name",
            "voter__birth_date",
        )
    )
    sql, params = rows.query.sql_with_params()
    hashes = {pk: hashlib.sha256() for pk in uuids}
    current: Any = None
    rest = b""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        for block in copy:
            lines = (rest + bytes(block)).split(b"\n")
            rest = lines.pop()
            for line in lines:
                sid, _, tail = line.partition(b"\t")
                if sid != current:
                    current, h = sid, hashes[int(sid)]
                h.update(tail + b"\n")
    return {f"rolls/{uuids[pk]}.tsv": h.hexdigest() for pk, h in hashes.items()}


def _parallel_allowed() -> bool:
    """Threads read through connections of their own, which see only committed rows: only
    on PostgreSQL and outside any transaction (never in a test's, whose rows they would
    not see)."""
    aliases = ("default", AUTHORITY, URN)
    return all(
        connections[a].vendor == "postgresql" and not connections[a].in_atomic_block
        for a in aliases
    )


def _digests(
    sources: dict[str, dict[str, Source]], election: Election
) -> dict[str, dict[str, str]]:
    def work(name: str) -> dict[str, str]:
        if name == "rolls":
            bulk = _rolls_bulk(election)
            if bulk is not None and set(bulk) == set(sources[name]):
                return bulk
        return {entry: _digest(src) for entry, src in sources[name].items()}

    def threaded(name: str) -> dict[str, str]:
        try:
            return work(name)
        finally:
            connections.close_all()  # this thread's connections only

    if not _parallel_allowed():
        return {name: work(name) for name in sources}
    from concurrent.futures import ThreadPoolExecutor

    # The longest first, so that the small ones fill in around them.
    order = sorted(sources, key=lambda n: n not in ("rolls", "credentials"))
    with ThreadPoolExecutor(max_workers=SEAL_WORKERS) as pool:
        done = dict(zip(order, pool.map(threaded, order), strict=True))
    return {name: done[name] for name in sources}


def _audit_head() -> int:
    head = AuditHead.objects.filter(pk=1).first()
    return head.last_seq if head is not None else 0


def seal_manifest(
    *,
    election: Election,
    audit_upto: int | None = None,
    boxes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The manifest of ``election`` as it stands now (nothing stored): the audit log up to
    ``audit_upto`` (its head now by default), and with ``boxes`` (uuid → height) the freeze's
    components. The same state gives the same fingerprint."""
    upto = _audit_head() if audit_upto is None else audit_upto
    sources = seal_sources(election=election, audit_upto=upto, boxes=boxes)
    components = _digests(sources, election)
    meta: dict[str, Any] = {"election_name": election.name, "audit_upto": upto}
    if boxes is not None:
        meta["boxes"] = boxes
    return manifest_make(election=election.pk, components=components, meta=meta)


# --- the seal's life: computed, confirmed, checked, frozen ------------------------------


def _member(user: Any, election: Election) -> Member:
    member = bureau_member(user, election)
    if member is None:
        raise SealError("not_member")
    return member


def seal_current(election: Election, kind: str = Seal.Kind.SEAL) -> Seal | None:
    """The election's seal that took effect (or the freeze's), if any."""
    return Seal.objects.filter(election=election, kind=kind, sealed_at__isnull=False).first()


def election_sealed(election: Any) -> bool:
    """Whether the election's seal took effect (the calendar is frozen from then on)."""
    return Seal.objects.filter(
        election_id=election.pk, kind=Seal.Kind.SEAL, sealed_at__isnull=False
    ).exists()


def seal_preconditions(election: Election) -> None:
    """What the seal needs, else a SealError: published rolls, every scrutin's urn set up and
    empty, a rehearsal run and wiped."""
    if seal_current(election) is not None:
        raise SealError("already_sealed")
    if not rolls_published(election):
        raise SealError("rolls_not_published")
    for scrutin, head in _heads(election):
        if head is None:
            raise SealError("no_urn", str(scrutin))
        if head.ballots or head.count_seq is not None:
            raise SealError("urn_not_empty", str(scrutin))
    last = Rehearsal.objects.filter(election=election).order_by("-started_at", "-pk").first()
    if last is None:
        raise SealError("no_rehearsal")
    if last.wiped_at is None:
        raise SealError("rehearsal_not_wiped")


def seal_compute(*, election: Election, actor: Any) -> Seal:
    """The president computes the fingerprint over empty urns (``seal_preconditions``); it
    takes effect once the president and two delegates confirm it (``seal_confirm``)."""
    member = _member(actor, election)
    if member.role != Member.Role.PRESIDENT:
        raise SealError("not_president")
    seal_preconditions(election)
    manifest = seal_manifest(election=election)
    with transaction.atomic():
        seal = Seal.objects.create(
            election=election,
            kind=Seal.Kind.SEAL,
            fingerprint=manifest["fingerprint"],
            manifest=json.dumps(manifest, sort_keys=True),
            computed_at=timezone.now(),
            computed_by=actor,
        )
        audit_append(
            actor=actor,
            action="bureau.seal_computed",
            obj=election,
            data={"seal": seal.pk, "fingerprint": seal.fingerprint},
        )
    return seal


def _quorum(seal: Seal) -> bool:
    roles = list(seal.confirmations.values_list("member__role", flat=True))
    return Member.Role.PRESIDENT in roles and roles.count(Member.Role.DELEGATE) >= DELEGATES_NEEDED


def seal_confirm(*, seal: Seal, actor: Any) -> Seal:
    """A key holder confirms the fingerprint from their own session. With the president's
    and two delegates' confirmations the state is computed again: the same fingerprint seals
    the election (``sealed_at``), another one is refused (``state_changed``)."""
    election = seal.election
    member = _member(actor, election)
    if not member.holds_key:
        raise SealError("not_holder")
    if seal.sealed_at is not None or seal_current(election) is not None:
        raise SealError("already_sealed")
    if seal.confirmations.filter(member=member).exists():
        raise SealError("already_confirmed")
    with transaction.atomic():
        SealConfirmation.objects.create(seal=seal, member=member, at=timezone.now())
        audit_append(
            actor=actor,
            action="bureau.seal_confirmed",
            obj=election,
            data={"seal": seal.pk, "fingerprint": seal.fingerprint, "role": member.role},
        )
    if not _quorum(seal):
        return seal
    sealed = json.loads(seal.manifest)
    again = seal_manifest(election=election, audit_upto=sealed["meta"]["audit_upto"])
    if again["fingerprint"] != seal.fingerprint:
        changes = components_compare(sealed["components"], again["components"])
        audit_append(
            actor=actor,
            action="bureau.seal_refused",
            obj=election,
            data={"seal": seal.pk, "changed": [c.component for c in changes]},
        )
        raise SealError("state_changed", ", ".join(c.component for c in changes))
    with transaction.atomic():
        # Two last confirmations at once: the row lock lets one of them seal.
        locked = Seal.objects.select_for_update().get(pk=seal.pk)
        if locked.sealed_at is not None:
            return locked
        seal = locked
        seal.sealed_at = timezone.now()
        seal.save(update_fields=["sealed_at"])
        audit_append(
            actor=actor,
            action="bureau.seal_made",
            obj=election,
            data={"seal": seal.pk, "fingerprint": seal.fingerprint},
        )
    return seal


@dataclass
class SealOutcome:
    """The outcome of ``seal_check``: one ``SealCheck`` per seal checked."""

    checks: list[SealCheck] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changes

    @property
    def components(self) -> list[str]:
        seen: list[str] = []
        for c in self.changes:
            if c.component not in seen:
                seen.append(c.component)
        return seen


def _recompute(seal: Seal) -> tuple[dict[str, Any], dict[str, Any]]:
    sealed = json.loads(seal.manifest)
    meta = sealed["meta"]
    now = seal_manifest(
        election=seal.election, audit_upto=meta["audit_upto"], boxes=meta.get("boxes")
    )
    return sealed, now


def seal_check(
    *, election: Election, reason: str = SealCheck.Reason.DEMAND, actor: Any = None
) -> SealOutcome:
    """Check the election's seal (and the freeze's, once made) against the state now: each
    component that changed is named, recorded (``SealCheck``) and audited. Not sealed: an
    empty outcome."""
    outcome = SealOutcome()
    for seal in Seal.objects.filter(election=election, sealed_at__isnull=False).order_by("pk"):
        sealed, now = _recompute(seal)
        changes = components_compare(sealed["components"], now["components"])
        with transaction.atomic():
            check = SealCheck.objects.create(
                seal=seal,
                at=timezone.now(),
                reason=reason,
                actor=actor if getattr(actor, "pk", None) else None,
                ok=not changes,
                changes=[c.to_json() for c in changes],
            )
            audit_append(
                actor=actor,
                action="bureau.seal_check",
                obj=election,
                data={
                    "seal": seal.pk,
                    "kind": seal.kind,
                    "reason": reason,
                    "ok": not changes,
                    "changed": [c.component for c in changes],
                },
            )
        outcome.checks.append(check)
        outcome.changes.extend(changes)
    return outcome


def seal_freeze(*, election: Election, actor: Any = None) -> Seal:
    """Seal again at the freeze (the other parts of the polling station call it once the
    urns, the émargements and the counters are frozen): the seal is checked (reason
    closing), then a freeze seal made at once over the same components plus the ballot boxes
    up to their height and the émargements. Idempotent: the freeze's seal is made once."""
    existing = seal_current(election, Seal.Kind.FREEZE)
    if existing is not None:
        return existing
    seal_check(election=election, reason=SealCheck.Reason.CLOSING, actor=actor)
    boxes = {s.uuid: head.height for s, head in _heads(election) if head is not None}
    manifest = seal_manifest(election=election, boxes=boxes)
    with transaction.atomic():
        now = timezone.now()
        seal = Seal.objects.create(
            election=election,
            kind=Seal.Kind.FREEZE,
            fingerprint=manifest["fingerprint"],
            manifest=json.dumps(manifest, sort_keys=True),
            computed_at=now,
            computed_by=actor if getattr(actor, "pk", None) else None,
            sealed_at=now,
        )
        audit_append(
            actor=actor,
            action="bureau.seal_freeze",
            obj=election,
            data={"seal": seal.pk, "fingerprint": seal.fingerprint},
        )
    return seal


def seal_decision_record(*, check: SealCheck, actor: Any, text: str) -> SealDecision:
    """The president records the bureau's decision about a mismatch; from then on the
    same changes no longer block the count (a new change does)."""
    election = check.seal.election
    member = _member(actor, election)
    if member.role != Member.Role.PRESIDENT:
        raise SealError("not_president")
    if check.ok or SealDecision.objects.filter(seal_check=check).exists():
        raise SealError("no_mismatch")
    text = text.strip()
    if not text:
        raise SealError("empty_decision")
    with transaction.atomic():
        decision = SealDecision.objects.create(
            seal_check=check, member=member, text=text, at=timezone.now()
        )
        audit_append(
            actor=actor,
            action="bureau.seal_decision",
            obj=election,
            data={"check": check.pk, "components": check.components, "text": text},
        )
    return decision


def _undecided(seal: Seal, changes: list[dict[str, Any]]) -> list[str]:
    """The components of ``changes`` no decision of the bureau covers: a decision covers a
    change found, exactly so, by the check it was recorded on (a further change is new)."""
    decided = {
        canonical(c)
        for check in SealCheck.objects.filter(seal=seal, ok=False, decision__isnull=False)
        for c in check.changes
    }
    return [c["component"] for c in changes if canonical(c) not in decided]


def seal_refusal_code(*, election: Election) -> str | None:
    """The count's seal gate (``count.rules.seal_refusal``): the seal checked at the count;
    a mismatch no decision of the bureau covers refuses with ``sealed:<components>``. An
    election that was never sealed is not refused here."""
    if seal_current(election) is None:
        return None
    outcome = seal_check(election=election, reason=SealCheck.Reason.COUNT)
    pending: list[str] = []
    for check in outcome.checks:
        if check.ok:
            continue
        pending.extend(c for c in _undecided(check.seal, check.changes) if c not in pending)
    return f"sealed:{','.join(pending)}" if pending else None


# --- the export and the PV --------------------------------------------------------------


def seal_export(*, seal: Seal, out: IO[bytes], actor: Any = None) -> None:
    """Write the seal's export to ``out`` (a zip): its manifest as sealed and every sealed
    file as it is now (the code is hashed, not exported: compare it with the release),
    checked by ``urne-seal-check`` without the server."""
    sealed = json.loads(seal.manifest)
    meta = sealed["meta"]
    sources = seal_sources(
        election=seal.election, audit_upto=meta["audit_upto"], boxes=meta.get("boxes")
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("manifest.json", json.dumps(sealed, indent=1, sort_keys=True))
        for component, entries in sources.items():
            if component in HASH_ONLY:
                continue
            for entry, source in entries.items():
                with zf.open(f"files/{entry}", "w", force_zip64=True) as f:
                    for chunk in source():
                        f.write(chunk)
    audit_append(
        actor=actor,
        action="bureau.seal_export",
        obj=seal.election,
        data={"seal": seal.pk, "fingerprint": seal.fingerprint},
    )


def seal_export_bytes(*, seal: Seal, actor: Any = None) -> bytes:
    buf = io.BytesIO()
    seal_export(seal=seal, out=buf, actor=actor)
    return buf.getvalue()


def seal_summary(seal: Seal) -> list[tuple[str, int, str]]:
    """(component, entries, digest) in the manifest's order: what the PV and seal_show list."""
    manifest = json.loads(seal.manifest)
    return [
        (name, len(manifest["components"][name]), manifest["digests"][name])
        for name in (*COMPONENTS, *FREEZE_COMPONENTS)
        if name in manifest["components"]
    ]
