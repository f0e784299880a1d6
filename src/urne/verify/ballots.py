"""Ballot checks fanned out over processes (the verifier's hot path)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from urne.crypto.ballot import BallotError, verify_ballot_string
from urne.crypto.election import Election, parse_election
from urne.crypto.group import Element


@dataclass(frozen=True, slots=True)
class BallotVerdict:
    """What the main process needs of a checked ballot: its failure, or its credential and
    ciphertexts (flattened per question) to recompute the tally."""

    index: int
    failure: str | None
    credential: Element | None = None
    choices: tuple[tuple[tuple[Element, Element], ...], ...] = ()


_election: Election | None = None


def _init_worker(election_raw: str) -> None:
    global _election
    _election = parse_election(election_raw)


def check_one(election: Election, index: int, raw: str) -> BallotVerdict:
    try:
        ballot = verify_ballot_string(election, raw)
    except BallotError as exc:
        return BallotVerdict(index, str(exc))
    choices = tuple(tuple((c.alpha, c.beta) for c in answer.choices) for answer in ballot.answers)
    return BallotVerdict(index, None, ballot.credential, choices)


def _check_in_worker(item: tuple[int, str]) -> BallotVerdict:
    if _election is None:
        raise RuntimeError("worker not initialised")
    return check_one(_election, item[0], item[1])


def check_ballots(
    election: Election,
    raws: Sequence[str],
    jobs: int,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[BallotVerdict]:
    """Check every ballot, in order, on ``jobs`` processes (in this one when ``jobs`` is 1)."""
    items = list(enumerate(raws))
    if jobs <= 1 or len(items) < 2:
        for i, raw in items:
            verdict = check_one(election, i, raw)
            if on_progress:
                on_progress(1)
            yield verdict
        return
    # forkserver: safe whatever threads the caller runs, and workers import only the core.
    context = multiprocessing.get_context("forkserver")
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(election.raw,)
    ) as pool:
        for verdict in pool.map(_check_in_worker, items, chunksize=chunk):
            if on_progress:
                on_progress(1)
            yield verdict
