"""What a procès-verbal reports besides the figures (ADR 0804), each read through one selector:
the seal's checks with their fingerprints, the vote's suspensions and their durations, the
bureau journal's interventions and incidents, the replacement codes issued, who decrypted
and when, the opening of the count.

The seal, the suspension and the journal are recorded by the polling station's pages as
audit events (``urne.audit``, the hash-chained log every staff write goes through). Their
kinds, which these selectors read, are:

- ``seal.*`` (``seal.made``, ``seal.checked``, …) with ``data["fingerprint"]`` (or ``digest``)
  and, for a check, ``data["ok"]``;
- ``vote.suspended`` and ``vote.resumed`` (``data["reason"]``), paired in time order;
- ``journal.*`` (``journal.intervention``, ``journal.incident``, …) with ``data["text"]``.

An event belongs to an election when its object is the election, its bureau or one of its
scrutins, or when its data name the election (``data["election"]``) or the scrutin
(``data["scrutin"]``, the uuid). Until those pages exist the selectors return nothing and the
PV says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from urne.audit.models import AuditEvent
from urne.authority.selectors import replacement_codes_issued
from urne.elections.eligibility import roll_voters
from urne.elections.models import Election, Scrutin

from .models import DecryptionUpload, ScrutinCount
from .rules import trustee_role

SEAL_PREFIX = "seal."
SUSPENDED, RESUMED = "vote.suspended", "vote.resumed"
JOURNAL_PREFIX = "journal."


def _belongs(election: Election, scrutin: Scrutin | None) -> Q:
    q = Q(object_type="elections.Election", object_id=str(election.pk)) | Q(
        data__election=election.pk
    )
    bureau = getattr(election, "bureau", None)
    if bureau is not None:
        q |= Q(object_type="bureau.Bureau", object_id=str(bureau.pk))
    if scrutin is not None:
        q |= Q(object_type="elections.Scrutin", object_id=str(scrutin.pk)) | Q(
            data__scrutin=scrutin.uuid
        )
    return q


def _events(election: Election, scrutin: Scrutin | None, kinds: Q) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(kinds).filter(_belongs(election, scrutin)).order_by("seq")
    )


@dataclass(frozen=True)
class SealCheck:
    at: datetime
    kind: str
    actor: str
    fingerprint: str
    ok: bool | None


def seal_checks(*, election: Election, scrutin: Scrutin | None = None) -> list[SealCheck]:
    """The seal's events (made, checked), each with its fingerprint and outcome."""
    out = []
    for ev in _events(election, scrutin, Q(action__startswith=SEAL_PREFIX)):
        data: dict[str, Any] = ev.data or {}
        fingerprint = str(data.get("fingerprint") or data.get("digest") or "")
        ok = data.get("ok")
        out.append(
            SealCheck(
                at=ev.at,
                kind=ev.action.removeprefix(SEAL_PREFIX),
                actor=ev.actor,
                fingerprint=fingerprint,
                ok=ok if isinstance(ok, bool) else None,
            )
        )
    return out


@dataclass(frozen=True)
class Suspension:
    start: datetime
    end: datetime | None
    reason: str

    @property
    def duration(self) -> timedelta | None:
        return self.end - self.start if self.end is not None else None


def suspensions(*, election: Election) -> list[Suspension]:
    """The vote's suspensions, each from its ``vote.suspended`` to the next ``vote.resumed``
    (an unmatched one is open: no end)."""
    out: list[Suspension] = []
    start: AuditEvent | None = None
    for ev in _events(election, None, Q(action__in=[SUSPENDED, RESUMED])):
        if ev.action == SUSPENDED and start is None:
            start = ev
        elif ev.action == RESUMED and start is not None:
            out.append(Suspension(start.at, ev.at, str((start.data or {}).get("reason", ""))))
            start = None
    if start is not None:
        out.append(Suspension(start.at, None, str((start.data or {}).get("reason", ""))))
    return out


@dataclass(frozen=True)
class JournalEntry:
    at: datetime
    kind: str
    actor: str
    text: str


def journal_entries(*, election: Election, scrutin: Scrutin | None = None) -> list[JournalEntry]:
    """The bureau journal's interventions and incidents (election-wide and the scrutin's)."""
    return [
        JournalEntry(
            at=ev.at,
            kind=ev.action.removeprefix(JOURNAL_PREFIX),
            actor=ev.actor,
            text=str((ev.data or {}).get("text", "")),
        )
        for ev in _events(election, scrutin, Q(action__startswith=JOURNAL_PREFIX))
    ]


def scrutin_replacement_codes(*, scrutin: Scrutin, issued: dict[int, int] | None = None) -> int:
    """Replacement codes issued to the voters of the scrutin's roll: the few voters with one
    (authority store; ``issued`` when the caller read it once for many PVs), then which of
    them are on the roll (voter store; no join across the stores)."""
    if issued is None:
        issued = replacement_codes_issued(election_id=scrutin.election_id)
    if not issued:
        return 0
    ids = list(issued)
    on_roll: list[int] = []
    for start in range(0, len(ids), 5000):  # SQLite's bound on a statement's parameters
        chunk = ids[start : start + 5000]
        on_roll += roll_voters(scrutin).filter(pk__in=chunk).values_list("pk", flat=True)
    return sum(issued[v] for v in on_roll)


@dataclass(frozen=True)
class Decryption:
    trustee: int
    role: str
    holder: str
    at: datetime
    digest: str


def _holder_name(user: Any) -> str:
    member = getattr(user, "bureau_member", None) if user is not None else None
    try:
        name = member.name if member is not None else ""
    except AttributeError:  # pragma: no cover - a Member always has a name
        name = ""
    return name or user.get_full_name() or user.get_username()


def decryptions(*, scrutin: Scrutin, trustees: Any = None) -> list[Decryption]:
    """Who decrypted the scrutin and when, with the key's role (president, delegate N)."""
    rows = DecryptionUpload.objects.filter(scrutin=scrutin).select_related("uploaded_by")
    out = []
    for row in rows.order_by("uploaded_at", "trustee"):
        role = trustee_role(trustees=trustees, owner=row.trustee) if trustees else ""
        out.append(
            Decryption(
                trustee=row.trustee,
                role=role,
                holder=_holder_name(row.uploaded_by),
                at=row.uploaded_at,
                digest=row.digest,
            )
        )
    return out


def count_of(scrutin: Scrutin) -> ScrutinCount | None:
    return ScrutinCount.objects.filter(scrutin=scrutin).select_related("opened_by").first()
