"""The vote-code check as one booth service (``vote_code_confirm``): which scrutins a typed
code opens, why it is refused, and the booth entries it records."""

import pytest

from factories.authority import booth_election_make
from urne.authority import services as authority
from urne.booth.models import BoothEntry
from urne.booth.services import vote_code_confirm

pytestmark = pytest.mark.django_db(databases=["default", "authority", "urn"])


def publics(code, scrutins):
    return {
        s.uuid: authority.public_credential_hex(scrutin_uuid=s.uuid, code=code) for s in scrutins
    }


def code_of(cset, voter, index=0):
    return authority.code_derive(credential_set=cset, voter_id=voter.pk, index=index)


def test_the_voters_code_opens_each_of_their_booths_once():
    _, scrutins, people, cset = booth_election_make()
    voter = people[0]
    sent = {u: c.upper() + "  " for u, c in publics(code_of(cset, voter), scrutins).items()}
    outcome = vote_code_confirm(voter=voter, credentials=sent)
    assert outcome.refusal is None
    assert sorted(outcome.confirmed) == sorted(s.uuid for s in scrutins)
    entries = BoothEntry.objects.filter(voter_id=voter.pk)
    assert sorted(entries.values_list("scrutin_id", flat=True)) == sorted(s.pk for s in scrutins)
    first = {e.scrutin_id: e.entered_at for e in entries}
    vote_code_confirm(voter=voter, credentials=sent)
    assert {e.scrutin_id: e.entered_at for e in entries.all()} == first  # the first entry counts


def test_refusals_wrong_other_voters_and_replaced_code():
    _, scrutins, people, cset = booth_election_make()
    voter, other = people[0], people[1]
    wrong = {s.uuid: "00" * 32 for s in scrutins}
    assert vote_code_confirm(voter=voter, credentials=wrong).refusal == "wrong_code"
    others = publics(code_of(cset, other), scrutins)
    # Another voter's code is refused like an unknown one (no code oracle, ADR 0521).
    assert vote_code_confirm(voter=voter, credentials=others).refusal == "wrong_code"
    old = publics(code_of(cset, voter), scrutins)
    authority.credentials_replace(voter=voter, actor="tests", reason="perdu")
    assert vote_code_confirm(voter=voter, credentials=old).refusal == "revoked"
    assert not BoothEntry.objects.filter(voter_id=voter.pk).exists()


def test_scrutins_not_the_voters_are_ignored():
    _, _, people, _ = booth_election_make()
    sent = {"UnknownUuid123": "ab" * 32}
    assert vote_code_confirm(voter=people[0], credentials=sent).refusal == "no_scrutin"
