"""Count factories: a bureau's election (the president and a 3-delegate group of threshold 2,
shared by its scrutins) whose voters have cast, the vote over; the holders' files of partial
decryptions made as ``urne-trustee decrypt-bureau`` makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from factories.authority import TrusteeFiles, trustee_files_make
from factories.booth import CastSetup, ballot_make, cast_setup_make
from urne.booth.models import Emargement
from urne.crypto.ballot import parse_ballot
from urne.crypto.encoding import dumps
from urne.crypto.tally import compute_partial_decryption
from urne.decryptions import bundle_dumps
from urne.elections.models import Candidate, CandidateList
from urne.urn.selectors import urn_count_state
from urne.urn.services import urn_ballot_append

_KEYS: dict[str, TrusteeFiles] = {}


def bureau_keys() -> TrusteeFiles:
    return _KEYS.get("k") or _KEYS.setdefault("k", trustee_files_make("count"))


@dataclass
class CountWorld:
    setup: CastSetup
    keys: TrusteeFiles
    # scrutin uuid -> the choice of each ballot cast (0 = blank)
    choices: dict[str, list[int]] = field(default_factory=dict)

    @property
    def election(self) -> Any:
        return self.setup.scrutins[0].scrutin.election

    def scrutin(self, i: int = 0) -> Any:
        return self.setup.scrutins[i].scrutin


def cast(world: CountWorld, i: int, voter: Any, choice: int) -> None:
    """One ballot in the urn and its voted émargement, as the cast leaves them."""
    cs = world.setup.scrutins[i]
    text = ballot_make(cs, voter.pk, choice)
    urn_ballot_append(scrutin_uuid=cs.scrutin.uuid, ballot=parse_ballot(text), ballot_text=text)
    Emargement.objects.create(
        voter=voter, scrutin=cs.scrutin, state="voted", voted_at=timezone.now()
    )
    world.choices.setdefault(cs.scrutin.uuid, []).append(choice)


def vote_end(world: CountWorld, *, freeze: bool = True) -> None:
    """Move the vote to the past: closed a day ago, grace period over; then frozen, as the
    bureau (or the scheduler) does before the count (unless ``freeze`` is False)."""
    from urne.bureau.control import vote_freeze

    election = world.election
    election.vote_closes = timezone.now() - timedelta(days=1)
    election.vote_opens = election.vote_closes - timedelta(days=7)
    election.save()
    if freeze:
        vote_freeze(election=election)
        election.refresh_from_db()


def count_world_make(
    *, voters: int = 5, lists: int = 3, scrutins: int = 2, over: bool = True
) -> CountWorld:
    """Every voter casts in every scrutin (choices cycle through blank and the lists), then
    the vote ends (unless ``over`` is False)."""
    keys = bureau_keys()
    setup = cast_setup_make(voters=voters, lists=lists, scrutins=scrutins, bureau_keys=keys)
    world = CountWorld(setup=setup, keys=keys)
    for cs in setup.scrutins:
        for n, label in enumerate(cs.election.questions[0].answers):
            cl = CandidateList.objects.create(scrutin=cs.scrutin, label=label)
            for p in range(1, 3 + n % 2):
                Candidate.objects.create(
                    candidate_list=cl, position=p, last_name=f"C{p}", first_name="A", gender="F"
                )
    for i in range(scrutins):
        for n, v in enumerate(setup.voters):
            cast(world, i, v, (n + i) % (lists + 1))
    if over:
        vote_end(world)
    return world


def holder_secret(world: CountWorld, holder: int) -> tuple[int, int]:
    """(trustee id, secret) of ``holder``: 0 the president, 1–3 the delegates."""
    if holder == 0:
        return 1, world.keys.president_key
    return 1 + holder, world.keys.group.share(holder)


def holder_bundle(
    world: CountWorld, holder: int, *, uuids: list[str] | None = None, secret: int | None = None
) -> bytes:
    """``holder``'s file of partial decryptions of every counting scrutin (or ``uuids``)."""
    owner, key = holder_secret(world, holder)
    key = key if secret is None else secret
    entries = []
    for cs in world.setup.scrutins:
        uuid = cs.scrutin.uuid
        if uuids is not None and uuid not in uuids:
            continue
        state = urn_count_state(scrutin_uuid=uuid)
        assert state is not None
        pd = compute_partial_decryption(state.election, state.tally, key)
        entries.append((uuid, owner, dumps(pd.to_json())))
    return bundle_dumps(entries).encode()
