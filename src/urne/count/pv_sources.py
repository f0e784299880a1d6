"""What a procès-verbal reports besides the figures (ADR 0804), each read through one selector:
the seal's checks with their fingerprints, the vote's suspensions and their durations, the
bureau journal's interventions and incidents, the replacement codes issued, who decrypted
and when.

The seal, the control of the vote and the bureau's journal are the polling station's pages;
each of their actions is an audit event (``urne.audit``, the hash-chained log every staff and
system write goes through, which the bureau's journal reads too). The kinds read here:

- the seal: ``bureau.seal_*`` (``seal_computed``, ``seal_confirmed``, ``seal_made``,
  ``seal_freeze``, ``seal_check``, ``seal_refused``, ``seal_decision``), and ``seal.*``; the
  fingerprint is ``data["fingerprint"]`` (or ``digest``), else the one an earlier event gave
  for the same ``data["seal"]``; a check's outcome is ``data["ok"]``;
- the suspensions: ``bureau.vote_suspend`` … ``bureau.vote_resume`` (also ``vote.suspend`` /
  ``vote.resume`` and ``vote.suspended`` / ``vote.resumed``), paired in time order, with
  ``data["reason"]``;
- the interventions and incidents: ``INTERVENTIONS`` (the journal's kinds that tell of a
  technical intervention or an incident: a member's access reset, a lost key, a restart, the
  recovery of interrupted votes, the close or an extension decided by the bureau, a refused
  seal and its decision, a refused opening of the count, a mismatch) and any ``journal.*``
  (a note the bureau writes), with ``data["text"]`` or ``data["reason"]``.

An event belongs to the election when its object is the election, its bureau or the scrutin,
or its data name them (``data["election"]``: the pk, ``data["scrutin"]``: the uuid), as for
the bureau's journal. Until the pages write them a section says that nothing is recorded.
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

from .models import DecryptionUpload
from .rules import trustee_role

SEAL_PREFIXES = ("bureau.seal_", "seal.")
SUSPENDED = ("bureau.vote_suspend", "vote.suspend", "vote.suspended")
RESUMED = ("bureau.vote_resume", "vote.resume", "vote.resumed")
JOURNAL_PREFIX = "journal."
INTERVENTIONS = (
    "bureau.member_access_reset",
    "bureau.key_loss",
    "bureau.vote_extend",
    "bureau.vote_close",
    "bureau.seal_refused",
    "bureau.seal_decision",
    "system.restart",
    "booth.emargement_recover",
    "count.open_refused",
    "count.mismatch",
    "seal.mismatch",
    "vote.close",
)


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


def _kind(action: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if action.startswith(prefix):
            return action.removeprefix(prefix)
    return action


@dataclass(frozen=True)
class SealCheck:
    at: datetime
    kind: str
    actor: str
    fingerprint: str
    ok: bool | None


def seal_checks(*, election: Election, scrutin: Scrutin | None = None) -> list[SealCheck]:
    """The seal's events (computed, confirmed, made, checked…), each with its fingerprint and,
    for a check, its outcome."""
    out = []
    known: dict[object, str] = {}  # seal id -> its fingerprint, from the event that gave it
    kinds = Q()
    for prefix in SEAL_PREFIXES:
        kinds |= Q(action__startswith=prefix)
    for ev in _events(election, scrutin, kinds):
        data: dict[str, Any] = ev.data if isinstance(ev.data, dict) else {}
        fingerprint = str(data.get("fingerprint") or data.get("digest") or "")
        if fingerprint and data.get("seal") is not None:
            known[data["seal"]] = fingerprint
        fingerprint = fingerprint or known.get(data.get("seal"), "")
        ok = data.get("ok")
        out.append(
            SealCheck(
                at=ev.at,
                kind=_kind(ev.action, SEAL_PREFIXES),
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


def _reason(ev: AuditEvent) -> str:
    return str((ev.data or {}).get("reason", "")) if isinstance(ev.data, dict) else ""


def suspensions(*, election: Election) -> list[Suspension]:
    """The vote's suspensions, each from its suspension to the next resumption (an unmatched
    one is still running: no end)."""
    out: list[Suspension] = []
    start: AuditEvent | None = None
    for ev in _events(election, None, Q(action__in=[*SUSPENDED, *RESUMED])):
        if ev.action in SUSPENDED and start is None:
            start = ev
        elif ev.action in RESUMED and start is not None:
            out.append(Suspension(start.at, ev.at, _reason(start)))
            start = None
    if start is not None:
        out.append(Suspension(start.at, None, _reason(start)))
    return out


@dataclass(frozen=True)
class JournalEntry:
    at: datetime
    kind: str
    actor: str
    text: str


def journal_entries(*, election: Election, scrutin: Scrutin | None = None) -> list[JournalEntry]:
    """The interventions and incidents of the bureau's journal (election-wide and the
    scrutin's): ``INTERVENTIONS`` and the bureau's notes (``journal.*``)."""
    out = []
    kinds = Q(action__in=INTERVENTIONS) | Q(action__startswith=JOURNAL_PREFIX)
    for ev in _events(election, scrutin, kinds):
        data = ev.data if isinstance(ev.data, dict) else {}
        text = data.get("text") or data.get("reason") or ""
        out.append(
            JournalEntry(
                at=ev.at,
                kind=_kind(ev.action, (JOURNAL_PREFIX,)),
                actor=ev.actor,
                text=str(text),
            )
        )
    return out


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
