"""Cast factories: an open election with scrutins set up in the urn, voters with active
credentials in the authority, and ballots made with the crypto core (tests of the urn, the
cast, the board and the fault tests)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from factories.elections import election_open_make, scrutin_make, voter_make
from urne.authority.models import CodeSlot, PublicCredential
from urne.ceremony import SeededRandom, list_question, make_ballot
from urne.crypto.credentials import generate_credential, make_public_credentials, public_credential
from urne.crypto.election import Election, make_election
from urne.crypto.encoding import dumps, loads
from urne.crypto.group import GROUP
from urne.crypto.trustees import (
    TrusteePublicKey,
    election_public_key,
    generate_single_key,
    trustees_to_json,
)
from urne.elections.models import Scrutin, Voter
from urne.urn.services import urn_setup


@dataclass
class CastScrutin:
    scrutin: Scrutin
    election: Election
    # voter id -> private credential (the browser derives it from the vote code)
    credentials: dict[int, str] = field(default_factory=dict)
    # voter id -> spare credential (revoked or spare in the authority)
    spares: dict[int, str] = field(default_factory=dict)
    trustee_key: int = 0


@dataclass
class CastSetup:
    voters: list[Voter]
    scrutins: list[CastScrutin]


def cast_setup_make(
    *,
    voters: int = 3,
    lists: int = 3,
    scrutins: int = 1,
    seed: str = "cast",
    open_: bool = True,
    bureau_keys: Any = None,
) -> CastSetup:
    """An election whose vote is open (or not yet), ``scrutins`` scrutins (CTM, then CTA Lyon)
    set up in the urn, every voter on both rolls with one active credential per scrutin and
    one spare. The trustee is one single key per scrutin, or ``bureau_keys``
    (``factories.authority.TrusteeFiles``: the president and the delegates' group, shared by
    every scrutin as in a real bureau)."""
    election = election_open_make(window="open" if open_ else "before")
    people = [voter_make(election) for _ in range(voters)]
    rnd = SeededRandom(seed)
    out = []
    codes = [("CTM", ""), ("CTA", "Lyon")][:scrutins]
    slots = {}
    for v in people:
        slots[v.pk] = (
            CodeSlot.objects.create(
                election_id=election.pk, voter_id=v.pk, index=0, status="active"
            ),
            CodeSlot.objects.create(
                election_id=election.pk, voter_id=v.pk, index=1, status="spare"
            ),
        )
    for code, perimeter in codes:
        scrutin = scrutin_make(election, code, perimeter, titular_seats=2, substitute_seats=2)
        key, trustee = generate_single_key(rnd.scalar)
        trustees: list[Any] = [trustee]
        if bureau_keys is not None:
            key = bureau_keys.president_key
            trustees = [
                TrusteePublicKey.of_json(loads(bureau_keys.president)),
                bureau_keys.group.params,
            ]
        crypto = make_election(
            uuid=scrutin.uuid,
            name=str(scrutin),
            description="test",
            public_key=election_public_key(trustees),
            questions=[list_question(lists)],
        )
        cs = CastScrutin(scrutin=scrutin, election=crypto, trustee_key=key)
        publics = []
        for v in people:
            cred, spare = generate_credential(rnd.choice), generate_credential(rnd.choice)
            cs.credentials[v.pk], cs.spares[v.pk] = cred, spare
            for slot, c in zip(slots[v.pk], (cred, spare), strict=True):
                pub = public_credential(scrutin.uuid, c)
                publics.append(pub)
                PublicCredential.objects.create(
                    slot=slot, scrutin_uuid=scrutin.uuid, credential=GROUP.element_to_string(pub)
                )
        urn_setup(
            scrutin_uuid=scrutin.uuid,
            election=crypto.raw,
            trustees=dumps(trustees_to_json(trustees)),
            public_credentials=dumps(make_public_credentials(publics).to_json()),
        )
        out.append(cs)
    return CastSetup(voters=people, scrutins=out)


def ballot_make(cs: CastScrutin, voter_id: int, choice: int = 1, *, spare: bool = False) -> str:
    """A ballot string of ``voter_id`` for list ``choice`` (0 = blank)."""
    lists = cs.election.questions[0].size
    vector = [0] * lists
    vector[choice] = 1
    cred = (cs.spares if spare else cs.credentials)[voter_id]
    seed = f"{cs.scrutin.uuid}/{voter_id}/{choice}/{random.random()}"
    return make_ballot(cs.election, cred, [vector], seed).to_string()
