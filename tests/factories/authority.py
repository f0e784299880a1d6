"""Shared by the authority and booth-page tests: an election with lists, and trustee files
made as urne-trustee makes them (a president's single key, a 3-member threshold group)."""

from dataclasses import dataclass
from typing import Any

from factories.elections import election_make, election_open_make, scrutin_make, voter_make
from urne.ceremony import SeededRandom, threshold_ceremony
from urne.crypto.encoding import dumps
from urne.crypto.trustees import generate_single_key
from urne.elections.models import CandidateList


@dataclass(frozen=True)
class TrusteeFiles:
    president: bytes
    threshold: bytes
    president_key: int
    group: Any


def trustee_files_make(seed: str = "tests") -> TrusteeFiles:
    rnd = SeededRandom(seed)
    key, tpk = generate_single_key(rnd.scalar)
    group = threshold_ceremony(3, 2, rnd)
    return TrusteeFiles(
        dumps(tpk.to_json()).encode(), dumps(group.params.to_json()).encode(), key, group
    )


def listed_election_make(
    voters: int = 3, window: str | None = None
) -> tuple[Any, list[Any], list[Any]]:
    election = election_open_make(window=window) if window else election_make()
    national = scrutin_make(election, "CTM", titular_seats=2, substitute_seats=2)
    academic = scrutin_make(election, "CTA", "Lyon", titular_seats=2, substitute_seats=2)
    for s in (national, academic):
        for label in ("Liste A – Union 1", "Liste B – Union 2"):
            CandidateList.objects.create(scrutin=s, label=f"{label} ({s.body.code})")
    people = [voter_make(election) for _ in range(voters)]
    return election, [national, academic], people


_KEYS: dict[str, TrusteeFiles] = {}


def booth_election_make(
    *, style: str = "2022", voters: int = 3, window: str = "open"
) -> tuple[Any, list[Any], list[Any], Any]:
    """An election in ``style`` whose vote is open (or ``before``/``after``), two scrutins
    with two lists each, codes generated and the urns set up from trustee files: the real
    path. Returns (election, scrutins, voters, credential set)."""
    from urne.authority.services import credentials_generate
    from urne.authority.setup import scrutins_setup

    election, scrutins, people = listed_election_make(voters=voters, window=window)
    election.style = style
    election.save()
    cset = credentials_generate(election=election, actor="tests")
    keys = _KEYS.get("k") or _KEYS.setdefault("k", trustee_files_make())
    scrutins_setup(
        election=election,
        scrutins=scrutins,
        president=keys.president,
        threshold=keys.threshold,
        actor="tests",
    )
    return election, scrutins, people, cset
