"""The count (docs/architecture.md, "The keys and the count"; ADRs 0800, 0801): the opening
(the gate of ``rules.count_opening_refusal``, the encrypted tally recomputed from the
ballots and written to the urn), the holders' uploads checked at once, the result computed
as soon as the president and the delegates' threshold have decrypted, checked against the
émargements, and proclaimed by the bureau. Every write is audited; a refusal stores nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from urne.audit.services import audit_append
from urne.backoffice.permissions import BUREAU_PAGES
from urne.booth.models import Emargement
from urne.booth.services import emargement_recover
from urne.counting.pv import pv_figures
from urne.counting.report import pv_report
from urne.counting.seats import CountingError, DrawNeedsSeed, ListVotes, TieNeedsCandidates
from urne.crypto.encoding import FormatError, dumps, sha256_hex
from urne.crypto.group import GroupError
from urne.crypto.tally import (
    CombinationError,
    combine_factors,
    compute_result,
    partial_decryption_owner,
    result_to_json,
)
from urne.decryptions import BundleEntry, bundle_parse
from urne.elections.eligibility import roll_voters, rolls_published
from urne.elections.models import CandidateList, Election, RollEntry, Scrutin
from urne.urn.selectors import CountState, urn_count_state, urn_count_states, urn_head
from urne.urn.services import (
    UrnError,
    urn_count_open,
    urn_partial_decryptions_append,
    urn_results_append,
)

from .errors import CountError
from .models import DecryptionUpload, ScrutinCount
from .rules import count_opening_refusal, threshold_reached

log = logging.getLogger(__name__)


def _voted(scrutin: Scrutin) -> int:
    return Emargement.objects.filter(scrutin=scrutin, state=Emargement.State.VOTED).count()


@dataclass
class CountOpening:
    opened: list[ScrutinCount] = field(default_factory=list)
    # scrutin uuid -> the CountError that stopped its opening (the others are opened)
    refused: dict[str, CountError] = field(default_factory=dict)


def count_open(*, election: Election, actor: Any, now: datetime | None = None) -> CountOpening:
    """Open the count of every scrutin of ``election`` that has an urn: the gate first
    (``count_opening_refusal``), pending émargements settled from the urn, then per scrutin
    the urn's ``urn_count_open`` (tally recomputed from the ballots and compared with the
    running one; EndBallots and EncryptedTally written) and its ``ScrutinCount``. A scrutin
    whose urn does not check is reported (audited ``count.open_refused``) and left closed; the
    others open. Idempotent."""
    now = now or timezone.now()
    refused = count_opening_refusal(election=election, now=now)
    if refused:
        # "sealed:rolls,code": the seal's refusal names the components that changed.
        code, _, detail = refused.partition(":")
        raise CountError(code, detail)
    scrutins = [
        s
        for s in election.scrutins.select_related("body").order_by("pk")
        if urn_head(scrutin_uuid=s.uuid) is not None
    ]
    if not scrutins:
        raise CountError("no_urn")
    # No cast can be in progress any more: every pending row is settled from the urn.
    emargement_recover(older_than=timedelta(0))
    outcome = CountOpening()
    for s in scrutins:
        existing = ScrutinCount.objects.filter(scrutin=s).first()
        if existing is not None:
            outcome.opened.append(existing)
            continue
        try:
            closed = urn_count_open(scrutin_uuid=s.uuid)
        except UrnError as exc:
            error = CountError(exc.code, f"{s}: {exc}")
            outcome.refused[s.uuid] = error
            audit_append(
                actor=actor,
                action="count.open_refused",
                obj=s,
                data={"scrutin": s.uuid, "code": exc.code, "detail": str(exc)},
            )
            continue
        with transaction.atomic():
            row = ScrutinCount.objects.create(
                scrutin=s,
                opened_at=now,
                opened_by=actor,
                tallied=closed.ballots,
                tally_hash=sha256_hex(closed.tally_text),
                emargements_at_opening=_voted(s),
            )
            audit_append(
                actor=actor,
                action="count.open",
                obj=s,
                data={
                    "scrutin": s.uuid,
                    "tallied": row.tallied,
                    "emargements": row.emargements_at_opening,
                    "tally_sha256": row.tally_hash,
                },
            )
        outcome.opened.append(row)
    return outcome


@dataclass(frozen=True)
class UploadOutcome:
    # scrutin uuid -> the trustee id the upload was bound to
    accepted: dict[str, int]
    # the scrutins whose result was computed by this upload
    results: list[str]


def _bind(
    entry: BundleEntry, state: CountState, others: list[tuple[str, CountState]]
) -> tuple[int, str]:
    """The trustee id whose key ``entry``'s proofs verify under, or the refusal."""
    try:
        owner, failure = partial_decryption_owner(
            state.election, state.tally, state.trustees, entry.partial_decryption
        )
    except (GroupError, ValueError) as exc:
        raise CountError("corrupted_proof", f"{entry.uuid}: {exc}") from exc
    if owner is None:
        for uuid, other in others:
            if uuid == entry.uuid:
                continue
            found, _ = partial_decryption_owner(
                other.election, other.tally, other.trustees, entry.partial_decryption
            )
            if found is not None:
                raise CountError("other_scrutin", f"{entry.uuid} ← {uuid}")
        raise CountError("wrong_key", entry.uuid)
    if failure:
        raise CountError("corrupted_proof", f"{entry.uuid}: {failure}")
    return owner, entry.uuid


def decryptions_upload(
    *, election: Election, actor: Any, content: bytes, now: datetime | None = None
) -> UploadOutcome:
    """A holder's file of partial decryptions (``urne.decryptions``), every proof checked at
    once and bound to the trustee whose key it verifies under; all accepted or, with a
    ``CountError`` naming the first refused scrutin, nothing stored. Then each scrutin that
    now has the president's and the threshold's decryptions gets its result
    (``result_compute``)."""
    now = now or timezone.now()
    if not getattr(actor, "has_perm", lambda _p: False)(BUREAU_PAGES):
        raise CountError("not_holder")
    try:
        entries = bundle_parse(content)
    except (FormatError, GroupError, ValueError) as exc:
        raise CountError("unreadable", str(exc)) from exc
    scrutins = {s.uuid: s for s in election.scrutins.all()}
    counts = {
        c.scrutin.uuid: c
        for c in ScrutinCount.objects.filter(scrutin__election=election).select_related("scrutin")
    }
    states = urn_count_states(scrutin_uuids=list(counts))
    others = sorted(states.items())
    bound: dict[str, int] = {}
    for entry in entries:
        if entry.uuid not in scrutins:
            raise CountError("unknown_scrutin", entry.uuid)
        state = states.get(entry.uuid)
        if state is None:
            raise CountError("count_not_open", str(scrutins[entry.uuid]))
        if counts[entry.uuid].state != ScrutinCount.State.COUNTING or state.result is not None:
            raise CountError("result_done", str(scrutins[entry.uuid]))
        owner, _ = _bind(entry, state, others)
        if owner in state.decryptions:
            raise CountError("already_decrypted", str(scrutins[entry.uuid]))
        bound[entry.uuid] = owner
    if len(set(bound.values())) > 1:
        raise CountError("mixed_keys")
    holder_done = DecryptionUpload.objects.filter(
        scrutin__uuid__in=list(bound), uploaded_by=actor
    ).first()
    if holder_done is not None:
        raise CountError("same_holder", str(holder_done.scrutin))
    with transaction.atomic():
        for entry in entries:
            DecryptionUpload.objects.create(
                scrutin=scrutins[entry.uuid],
                trustee=bound[entry.uuid],
                uploaded_by=actor,
                uploaded_at=now,
                digest=sha256_hex(entry.text),
            )
        audit_append(
            actor=actor,
            action="count.decryptions_upload",
            obj=election,
            data={"trustee": next(iter(bound.values())), "scrutins": sorted(bound)},
        )
        # Last, inside the voter store's transaction: a refusal of the urn rolls it back.
        try:
            urn_partial_decryptions_append(
                entries=[(e.uuid, bound[e.uuid], e.text) for e in entries]
            )
        except UrnError as exc:
            code = {"already_decrypted": "already_decrypted", "result_written": "result_done"}
            raise CountError(code.get(exc.code, "count_not_open"), str(exc)) from exc
    ready = []
    for entry in entries:
        state = states[entry.uuid]
        state.decryptions[bound[entry.uuid]] = entry.partial_decryption
        if threshold_reached(trustees=state.trustees, owners=state.decryptions):
            ready.append((scrutins[entry.uuid], state))
    results_compute(ready=ready, now=now)
    return UploadOutcome(accepted=bound, results=sorted(s.uuid for s, _ in ready))


@dataclass(frozen=True)
class _SeatInputs:
    """What the seats need from the voter store beyond the counts, read once per batch."""

    registered: dict[int, int]
    candidates: dict[tuple[int, str], int]


def _seat_inputs(scrutins: list[Scrutin]) -> _SeatInputs:
    ids = [s.pk for s in scrutins]
    registered: dict[int, int] = {}
    published = [s for s in scrutins if rolls_published(s.election)]
    for sid, n in (
        RollEntry.objects.filter(scrutin_id__in=[s.pk for s in published])
        .values_list("scrutin_id")
        .annotate(n=Count("pk"))
    ):
        registered[sid] = n
    for s in scrutins:
        if s not in published:
            registered[s.pk] = roll_voters(s).count()
        registered.setdefault(s.pk, 0)
    candidates = {
        (sid, label): n
        for sid, label, n in CandidateList.objects.filter(scrutin_id__in=ids)
        .values_list("scrutin_id", "label")
        .annotate(n=Count("candidates"))
    }
    return _SeatInputs(registered=registered, candidates=candidates)


def _figures(
    scrutin: Scrutin,
    counts: list[int],
    answers: tuple[str, ...],
    seed: str,
    inputs: _SeatInputs | None = None,
) -> Any:
    """The PV's figures and seats (``urne.counting``) from the decrypted counts."""
    inputs = inputs or _seat_inputs([scrutin])
    blank, votes = counts[0], counts[1:]
    lists = [
        ListVotes(name=name, votes=v, candidates=inputs.candidates.get((scrutin.pk, name)) or None)
        for name, v in zip(answers, votes, strict=True)
    ]
    pv = pv_figures(
        registered=inputs.registered[scrutin.pk],
        voters=sum(counts),
        blank=blank,
        lists=lists,
        seats=scrutin.titular_seats,
        seed=seed or None,
    )
    return pv_report(pv)


def result_compute(
    *, scrutin: Scrutin, state: CountState | None = None, now: datetime | None = None
) -> ScrutinCount:
    """``results_compute`` for one scrutin (its state read from the urn if not given)."""
    state = state or urn_count_state(scrutin_uuid=scrutin.uuid)
    if state is None:
        raise CountError("count_not_open", str(scrutin))
    results_compute(ready=[(scrutin, state)], now=now)
    return ScrutinCount.objects.get(scrutin=scrutin)


def results_compute(
    *, ready: list[tuple[Scrutin, CountState]], now: datetime | None = None
) -> None:
    """For each scrutin with enough partial decryptions: combine them (every proof checked
    again), take the discrete logs, and check the votes (valid + blank) against the voted
    émargements and the urn's ballots. Equal: the Result event is written and the seats
    allocated (``urne.counting``; a tie that needs a draw waits for the bureau's seed at the
    proclamation). Different: that scrutin's count stops (state ``mismatch``, audited
    ``count.mismatch``, no Result) and it cannot be proclaimed. The reads and writes are
    batched: a bureau's 290 scrutins cost a few statements, not a few per scrutin."""
    if not ready:
        return
    now = now or timezone.now()
    computed: list[tuple[Scrutin, CountState, list[int]]] = []
    for scrutin, state in ready:
        try:
            factors = combine_factors(
                state.election, state.tally, state.trustees, state.decryptions
            )
            computed.append(
                (scrutin, state, compute_result(state.tally, factors, state.total_weight)[0])
            )
        except CombinationError as exc:
            raise CountError("not_ready", f"{scrutin}: {exc}") from exc
    scrutins = [s for s, _, _ in computed]
    voted = dict(
        Emargement.objects.filter(scrutin__in=scrutins, state=Emargement.State.VOTED)
        .values_list("scrutin_id")
        .annotate(n=Count("pk"))
    )
    inputs = _seat_inputs(scrutins)
    with transaction.atomic():
        rows = {
            c.scrutin_id: c
            for c in ScrutinCount.objects.select_for_update().filter(scrutin__in=scrutins)
        }
        results: list[tuple[str, str]] = []
        matched: dict[str, list[int]] = {}
        for scrutin, state, row in computed:
            count = rows[scrutin.pk]
            votes, emargements = sum(row), voted.get(scrutin.pk, 0)
            count.counts, count.emargements, count.result_at = row, emargements, now
            if votes != emargements or votes != state.num_tallied:
                count.state = ScrutinCount.State.MISMATCH
                audit_append(
                    actor="system",
                    action="count.mismatch",
                    obj=scrutin,
                    data={
                        "scrutin": scrutin.uuid,
                        "votes": votes,
                        "emargements": emargements,
                        "ballots": state.num_tallied,
                    },
                )
                log.warning(
                    "count of %s stopped: %d votes, %d émargements", scrutin, votes, emargements
                )
                continue
            try:
                count.figures = _figures(
                    scrutin, row, state.election.questions[0].answers, "", inputs
                )
            except (DrawNeedsSeed, TieNeedsCandidates):
                count.figures = None  # settled at the proclamation (the bureau's seed)
            if state.result is None:  # else written before a failed commit of this store
                results.append((scrutin.uuid, dumps(result_to_json([row]))))
            elif state.result != [row]:
                raise CountError("urn_damaged", f"{scrutin}: the urn's Result differs")
            count.state = ScrutinCount.State.RESULT
            matched[scrutin.uuid] = row
        ScrutinCount.objects.bulk_update(
            list(rows.values()), ["counts", "emargements", "result_at", "state", "figures"]
        )
        if matched:
            audit_append(actor="system", action="count.results", data={"counts": matched})
        # Last, inside the voter store's transaction: a refusal of the urn rolls it back.
        urn_results_append(entries=results)


def result_proclaim(
    *, scrutin: Scrutin, actor: Any, seed: str = "", now: datetime | None = None
) -> ScrutinCount:
    """The bureau proclaims a computed result: refused while the votes do not match the
    émargements (``mismatch``) or before the result (``not_ready``); the seats allocated with
    the bureau's ``seed`` when a tie reaches the draw (``needs_seed`` without it)."""
    now = now or timezone.now()
    with transaction.atomic():
        count = ScrutinCount.objects.select_for_update().filter(scrutin=scrutin).first()
        if count is None or count.state == ScrutinCount.State.COUNTING:
            raise CountError("not_ready", str(scrutin))
        if count.state == ScrutinCount.State.MISMATCH:
            raise CountError(
                "mismatch", f"{sum(count.counts or [])} votes, {count.emargements} émargements"
            )
        if count.state == ScrutinCount.State.PROCLAIMED:
            raise CountError("already_proclaimed", str(scrutin))
        state = urn_count_state(scrutin_uuid=scrutin.uuid)
        assert state is not None  # noqa: S101 — a computed result has its urn
        if count.figures is None or seed:
            try:
                count.figures = _figures(
                    scrutin, list(count.counts or []), state.election.questions[0].answers, seed
                )
            except DrawNeedsSeed as exc:
                raise CountError("needs_seed", str(scrutin)) from exc
            except TieNeedsCandidates as exc:
                raise CountError("needs_candidates", str(exc)) from exc
            except CountingError as exc:  # pragma: no cover - the checks above hold
                raise CountError("not_ready", str(exc)) from exc
            count.seed = seed
        count.state = ScrutinCount.State.PROCLAIMED
        count.proclaimed_at = now
        count.proclaimed_by = actor
        count.save()
        audit_append(
            actor=actor,
            action="count.proclaim",
            obj=scrutin,
            data={"scrutin": scrutin.uuid, "seed": seed, "figures": count.figures},
        )
    return count
