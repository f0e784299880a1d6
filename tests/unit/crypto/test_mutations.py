"""Mutation suite: distinct corruptions of a valid complete archive, each refused by
``verify_archive`` with a failure naming what failed.

The archive is rebuilt from altered texts with a correct hash chain (see ``archive_builder``),
and altered ballots are signed again with the voter's credential, so that every mutation
breaks the one check it aims at, not an earlier one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from archive_builder import Built, Step, build_election, extract, login, one_hot, rebuild, resign

from urne.crypto.archive import Record, read_records, write_records
from urne.crypto.ballot import create_ballot, verify_ballot_string
from urne.crypto.encoding import dumps, sha256_b64, sha256_hex
from urne.crypto.group import GROUP, IDENTITY, Q
from urne.crypto.tally import owned_json
from urne.verify.checks import verify_archive

VOTERS, LISTS = 12, 4
P = 2**255 - 19
ORDER2_HEX = f"{P - 1:064x}"  # (0, −1): order 2
OFF_CURVE_HEX = f"{2:064x}"  # y = 2 has no x on the curve
IDENTITY_HEX = GROUP.element_to_string(IDENTITY)
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE_Y = 4 * pow(5, -1, P) % P
# B + (0, −1) = (−x_B, −y_B): on the curve, with a torsion component
TORSION_HEX = f"{((-BASE_Y) % P) | ((((-BASE_X) % P) & 1) << 255):064x}"

# Layout of the base archive (steps = events).
SETUP, FIRST_BALLOT, SECOND_BALLOT = 0, 1, 2
END_BALLOTS = 1 + VOTERS
TALLY = END_BALLOTS + 1
PD_PRESIDENT, PD_MEMBER1, PD_MEMBER2 = TALLY + 1, TALLY + 2, TALLY + 3
RESULT = TALLY + 4


@pytest.fixture(scope="module")
def base() -> Built:
    votes = [(login(i), one_hot(LISTS, i % (LISTS + 1))) for i in range(1, VOTERS + 1)]
    return build_election(votes, voters=VOTERS, lists=LISTS, seed="mutations")


@pytest.fixture(scope="module")
def base_steps(base) -> tuple[int, list[Step]]:
    timestamp, steps = extract(base.data)
    assert [s.type for s in steps] == (
        ["Setup"]
        + ["Ballot"] * VOTERS
        + ["EndBallots", "EncryptedTally"]
        + ["PartialDecryption"] * 3
        + ["Result"]
    )
    return timestamp, steps


def test_the_base_archive_is_valid(base, base_steps, tmp_path):
    path = tmp_path / "base.bel"
    timestamp, steps = base_steps
    path.write_bytes(rebuild(timestamp, steps))
    assert path.read_bytes() == base.data
    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.valid
    assert report.tallied == VOTERS


# -- mutation helpers -------------------------------------------------------------------------


def plus_one(proof: dict, field: str) -> None:
    proof[field] = str((int(proof[field]) + 1) % Q)


def edit_ballot(index: int, change: Callable[[dict], None], sign: bool = True):
    """Alter ballot ``index`` (a step number) as JSON, then sign it again unless told not to."""

    def mutate(base: Built, steps: list[Step]) -> None:
        raw = steps[index].data[0]
        obj = json.loads(raw)
        change(obj)
        steps[index].data = [
            resign(base.election, obj, base.secret_of_ballot(raw)) if sign else dumps(obj)
        ]

    return mutate


def edit_ballot_text(index: int, change: Callable[[str], str]):
    def mutate(base: Built, steps: list[Step]) -> None:
        steps[index].data = [change(steps[index].data[0])]

    return mutate


def answer(obj: dict) -> dict:
    return obj["answers"][0]


def edit_partial_decryption(index: int, change: Callable[[dict], None], owner: int | None = None):
    """Alter a partial decryption (and keep its ``owned`` record pointing at it)."""

    def mutate(base: Built, steps: list[Step]) -> None:
        pd_text, owned_text = steps[index].data
        pd = json.loads(pd_text)
        change(pd)
        new = dumps(pd)
        who = json.loads(owned_text)["owner"] if owner is None else owner
        steps[index].data = [new, dumps(owned_json(who, new))]

    return mutate


def edit_tally(change: Callable[[list], None]):
    def mutate(base: Built, steps: list[Step]) -> None:
        tally_text, sized_text = steps[TALLY].data
        tally = json.loads(tally_text)
        change(tally)
        new = dumps(tally)
        sized = json.loads(sized_text)
        sized["encrypted_tally"] = sha256_hex(new)
        steps[TALLY].data = [new, dumps(sized)]

    return mutate


def edit_sized(change: Callable[[dict], None]):
    def mutate(base: Built, steps: list[Step]) -> None:
        tally_text, sized_text = steps[TALLY].data
        sized = json.loads(sized_text)
        change(sized)
        steps[TALLY].data = [tally_text, dumps(sized)]

    return mutate


def edit_setup(position: int, change: Callable[[object], object], fix_setup_data: bool):
    """Alter one of election/trustees/credentials (0/1/2) of the Setup event."""

    def mutate(base: Built, steps: list[Step]) -> None:
        data = list(steps[SETUP].data)
        data[position] = dumps(change(json.loads(data[position])))
        if fix_setup_data:
            data[3] = dumps(
                {
                    "election": sha256_hex(data[0]),
                    "trustees": sha256_hex(data[1]),
                    "credentials": sha256_hex(data[2]),
                }
            )
        steps[SETUP].data = data

    return mutate


def set_result(change: Callable[[list], None]):
    def mutate(base: Built, steps: list[Step]) -> None:
        result = json.loads(steps[RESULT].data[0])
        change(result["result"])
        steps[RESULT].data = [dumps(result)]

    return mutate


def fresh_credential_ballot(base: Built, steps: list[Step]) -> None:
    # a well-formed ballot, signed with a credential that is not in the list
    ballot = create_ballot(base.election, 987654321987654321, one_hot(LISTS, 2))
    verify_ballot_string(base.election, ballot.to_string())
    steps[FIRST_BALLOT].data = [ballot.to_string()]


def duplicate_ballot(base: Built, steps: list[Step]) -> None:
    steps.insert(SECOND_BALLOT + 1, copy.deepcopy(steps[SECOND_BALLOT]))


def duplicate_partial_decryption(base: Built, steps: list[Step]) -> None:
    steps.insert(PD_MEMBER1 + 1, copy.deepcopy(steps[PD_MEMBER1]))


def drop(index: int):
    def mutate(base: Built, steps: list[Step]) -> None:
        del steps[index]

    return mutate


def end_ballots_too_early(base: Built, steps: list[Step]) -> None:
    end = steps.pop(END_BALLOTS)
    steps.insert(END_BALLOTS - 1, end)


def result_before_decryptions(base: Built, steps: list[Step]) -> None:
    result = steps.pop(RESULT)
    steps.insert(PD_PRESIDENT, result)


def replace_first_credential(creds: object) -> object:
    assert isinstance(creds, list)
    other = GROUP.element_to_string(GROUP.mul_base(424242))
    return sorted([other, *creds[1:]], key=lambda s: bytes.fromhex(s)[::-1])


def alter_pok(trustees: object) -> object:
    assert isinstance(trustees, list)
    plus_one(trustees[0][1]["pok"], "response")
    return trustees


def alter_threshold(value: int):
    def change(trustees: object) -> object:
        assert isinstance(trustees, list)
        trustees[1][1]["threshold"] = value
        return trustees

    return change


def alter_election_key(election: object) -> object:
    assert isinstance(election, dict)
    election["public_key"] = GROUP.element_to_string(GROUP.mul_base(5))
    return election


# -- event-level and tar-level mutations ----------------------------------------------------------


def event_hook(index: int, change: Callable):
    def hook(i, event):
        return change(event) if i == index else None

    return hook


def other_parent(event):
    return dumps(replace(event, parent="00" * 32).to_json())


def other_height(event):
    return dumps(replace(event, height=event.height + 1).to_json())


def spaced_event(event):
    return dumps(event.to_json()).replace(",", ", ", 1)


def other_payload(event):
    return dumps(replace(event, payload="ab" * 32).to_json())


# -- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    expected: str  # a substring of one failure message
    mutate: Callable[[Built, list[Step]], None] | None = None
    hook: tuple[int, Callable] | None = None
    where: str | None = None  # a substring of that failure's location


def _alpha(j: int, value: str):
    def change(obj: dict) -> None:
        answer(obj)["choices"][j]["alpha"] = value

    return change


def _beta(j: int, value: str):
    def change(obj: dict) -> None:
        answer(obj)["choices"][j]["beta"] = value

    return change


CASES = [
    # ballots: every proof part
    Case(
        "individual proof challenge",
        "choice 2: individual proof",
        edit_ballot(
            FIRST_BALLOT, lambda o: plus_one(answer(o)["individual_proofs"][1][0], "challenge")
        ),
        where="event 1 (Ballot)",
    ),
    Case(
        "individual proof response",
        "choice 3: individual proof",
        edit_ballot(
            FIRST_BALLOT, lambda o: plus_one(answer(o)["individual_proofs"][2][1], "response")
        ),
    ),
    Case(
        "overall proof challenge",
        "question 1: overall proof",
        edit_ballot(FIRST_BALLOT, lambda o: plus_one(answer(o)["overall_proof"][1], "challenge")),
    ),
    Case(
        "overall proof response",
        "question 1: overall proof",
        edit_ballot(FIRST_BALLOT, lambda o: plus_one(answer(o)["overall_proof"][0], "response")),
    ),
    Case(
        "blank proof",
        "question 1: blank proof",
        edit_ballot(FIRST_BALLOT, lambda o: plus_one(answer(o)["blank_proof"][1], "challenge")),
    ),
    Case(
        "blank proof missing",
        "blank proof: missing",
        edit_ballot(FIRST_BALLOT, lambda o: answer(o).pop("blank_proof")),
    ),
    Case(
        "one proof too few",
        "overall proof",
        edit_ballot(FIRST_BALLOT, lambda o: answer(o)["overall_proof"].pop()),
    ),
    # ballots: signature
    Case(
        "signature challenge",
        "signature proof",
        edit_ballot(
            FIRST_BALLOT, lambda o: plus_one(o["signature"]["proof"], "challenge"), sign=False
        ),
    ),
    Case(
        "signature response",
        "signature proof",
        edit_ballot(
            FIRST_BALLOT, lambda o: plus_one(o["signature"]["proof"], "response"), sign=False
        ),
    ),
    Case(
        "signature hash",
        "signature hash",
        edit_ballot(
            FIRST_BALLOT, lambda o: o["signature"].update(hash=sha256_b64("another")), sign=False
        ),
    ),
    Case(
        "content altered after signing",
        "signature hash",
        edit_ballot(
            FIRST_BALLOT, lambda o: plus_one(answer(o)["overall_proof"][0], "response"), sign=False
        ),
    ),
    Case(
        "signature removed",
        "signature: missing",
        edit_ballot(FIRST_BALLOT, lambda o: o.pop("signature"), sign=False),
    ),
    # ballots: acceptance
    Case(
        "credential not in the list",
        "credential not in the public credential list",
        fresh_credential_ballot,
    ),
    Case(
        "the same ballot twice",
        "the same ballot appears twice",
        duplicate_ballot,
        where="event 3 (Ballot)",
    ),
    Case(
        "wrong election hash",
        "election hash",
        edit_ballot(FIRST_BALLOT, lambda o: o.update(election_hash=sha256_b64("other election"))),
    ),
    Case(
        "wrong election uuid",
        "election uuid",
        edit_ballot(FIRST_BALLOT, lambda o: o.update(election_uuid="AAAAAAAAAAAAAA")),
    ),
    Case(
        "space in a ballot",
        "canonical JSON",
        edit_ballot_text(
            FIRST_BALLOT, lambda t: t.replace('{"election_uuid"', '{ "election_uuid"')
        ),
    ),
    Case(
        "reordered ballot fields",
        "canonical JSON",
        edit_ballot_text(
            FIRST_BALLOT, lambda t: dumps(dict(reversed(list(json.loads(t).items()))))
        ),
    ),
    Case(
        "uppercase hex element",
        "not a group element encoding",
        edit_ballot_text(
            FIRST_BALLOT,
            lambda t: t.replace(json.loads(t)["credential"], json.loads(t)["credential"].upper()),
        ),
    ),
    # ballots: group membership
    Case(
        "point off the curve",
        "choice 2: group membership",
        edit_ballot(FIRST_BALLOT, _alpha(1, OFF_CURVE_HEX)),
    ),
    Case(
        "small-order point",
        "choice 1: group membership",
        edit_ballot(FIRST_BALLOT, _beta(0, ORDER2_HEX)),
    ),
    Case(
        "point with a torsion component",
        "choice 4: group membership",
        edit_ballot(FIRST_BALLOT, _alpha(3, TORSION_HEX)),
    ),
    Case(
        "identity choice without proofs",
        "choice 3: individual proof",
        edit_ballot(FIRST_BALLOT, _alpha(2, IDENTITY_HEX)),
    ),
    Case(
        "small-order credential",
        "credential: not a group element",
        edit_ballot(FIRST_BALLOT, lambda o: o.update(credential=ORDER2_HEX)),
    ),
    # hash chain
    Case("broken parent hash", "broken hash chain", hook=(5, other_parent), where="event 5"),
    Case("altered height", "height 6, expected 5", hook=(5, other_height)),
    Case("non-canonical event", "non-canonical JSON", hook=(5, spaced_event), where="event 5"),
    Case("payload not the hash of the data", "payload is not the hash", hook=(3, other_payload)),
    Case("EndBallots before the last ballot", "event out of order", end_ballots_too_early),
    Case("Result before the decryptions", "event out of order", result_before_decryptions),
    # setup
    Case(
        "credential list altered",
        "credentials hash does not match",
        edit_setup(2, replace_first_credential, fix_setup_data=False),
    ),
    Case(
        "credential list replaced",
        "credential not in the public credential list",
        edit_setup(2, replace_first_credential, fix_setup_data=True),
    ),
    Case(
        "trustee proof of knowledge",
        "trustee 1: public key or proof of knowledge",
        edit_setup(1, alter_pok, fix_setup_data=True),
    ),
    Case(
        "threshold of the group",
        "threshold trustees 2–4",
        edit_setup(1, alter_threshold(1), fix_setup_data=True),
    ),
    Case(
        "election key",
        "election public key is not the product",
        edit_setup(0, alter_election_key, fix_setup_data=True),
    ),
    # encrypted tally
    Case(
        "altered encrypted tally",
        "published encrypted tally differs from the tally of the ballots",
        edit_tally(lambda t: t[0][1].update(beta=GROUP.element_to_string(GROUP.mul_base(1)))),
    ),
    Case(
        "encrypted tally not a group element",
        "encrypted tally: not group elements",
        edit_tally(lambda t: t[0][1].update(alpha=ORDER2_HEX)),
    ),
    Case(
        "sized tally hash",
        "sized tally: hash of the encrypted tally does not match",
        edit_sized(lambda s: s.update(encrypted_tally=sha256_hex("another tally"))),
    ),
    Case(
        "num_tallied",
        f"num_tallied {VOTERS + 1}, the ballots give {VOTERS}",
        edit_sized(lambda s: s.update(num_tallied=VOTERS + 1)),
    ),
    Case(
        "total_weight",
        f"total_weight {VOTERS - 1}, the ballots give {VOTERS}",
        edit_sized(lambda s: s.update(total_weight=VOTERS - 1)),
    ),
    # partial decryptions
    Case(
        "decryption factor not a group element",
        "decryption factor of question 1 slot 2 is not a group element",
        edit_partial_decryption(
            PD_MEMBER1, lambda p: p["decryption_factors"][0].__setitem__(1, ORDER2_HEX)
        ),
        where="trustee 2",
    ),
    Case(
        "decryption factor replaced",
        "decryption proof of question 1 slot 1",
        edit_partial_decryption(
            PD_PRESIDENT,
            lambda p: p["decryption_factors"][0].__setitem__(
                0, GROUP.element_to_string(GROUP.mul_base(7))
            ),
        ),
        where="trustee 1",
    ),
    Case(
        "decryption proof",
        "decryption proof of question 1 slot 3",
        edit_partial_decryption(
            PD_MEMBER2, lambda p: plus_one(p["decryption_proofs"][0][2], "response")
        ),
        where="trustee 3",
    ),
    Case(
        "wrong owner",
        "decryption proof",
        edit_partial_decryption(PD_PRESIDENT, lambda p: None, owner=4),
        where="trustee 4",
    ),
    Case(
        "owner not a trustee",
        "owner 9 is not a trustee id",
        edit_partial_decryption(PD_PRESIDENT, lambda p: None, owner=9),
    ),
    Case(
        "duplicate partial decryption",
        "a second partial decryption from the same trustee",
        duplicate_partial_decryption,
        where="trustee 2",
    ),
    Case(
        "missing decryption of the single trustee",
        "missing partial decryption of trustee 1",
        drop(PD_PRESIDENT),
        where="Result",
    ),
    Case("one threshold decryption only", "not enough partial decryptions", drop(PD_MEMBER2)),
    # result
    Case(
        "result count",
        "result: question 1 slot 2 does not decrypt to",
        set_result(lambda r: r[0].__setitem__(1, r[0][1] + 1)),
        where="Result",
    ),
    Case(
        "result counts swapped",
        "does not decrypt to",
        set_result(lambda r: r[0].__setitem__(slice(0, 2), [r[0][1], r[0][0]])),
    ),
    Case("result shape", "result: shape differs from the tally", set_result(lambda r: r[0].pop())),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mutation_is_refused(case: Case, base, base_steps, tmp_path):
    timestamp, steps = base_steps
    steps = copy.deepcopy(steps)
    if case.mutate is not None:
        case.mutate(base, steps)
    hook = event_hook(*case.hook) if case.hook else None
    data = rebuild(timestamp, steps, hook)
    assert data != base.data
    path = tmp_path / "mutated.bel"
    path.write_bytes(data)
    report = verify_archive(str(path), jobs=1)
    assert report.readable
    assert not report.valid
    matching = [f for f in report.failures if case.expected in f.check]
    assert matching, f"no failure mentions {case.expected!r}: {[str(f) for f in report.failures]}"
    if case.where is not None:
        assert any(case.where in f.where for f in matching), [str(f) for f in matching]


def test_the_cases_are_distinct():
    assert len({c.name for c in CASES}) == len(CASES) >= 20


# -- mutations of the tar itself -------------------------------------------------------------------


def test_tar_header_checksum(base, tmp_path):
    data = bytearray(base.data)
    data[1024 + 3] ^= 0x01  # the name of the first data record
    path = tmp_path / "tar.bel"
    path.write_bytes(bytes(data))
    report = verify_archive(str(path), jobs=1)
    assert not report.readable and not report.valid
    assert any("bad tar header checksum" in f.check for f in report.failures)


def test_tar_truncated(base, tmp_path):
    ballot = next(r for r in read_records(base.data) if r.body.startswith(b'{"election_uuid"'))
    start = base.data.index(ballot.body)
    path = tmp_path / "tar.bel"
    path.write_bytes(base.data[: start + 100])
    report = verify_archive(str(path), jobs=1)
    assert not report.readable
    assert any("truncated record" in f.check for f in report.failures)


def test_record_name_is_not_the_hash_of_its_body(base, tmp_path):
    records = read_records(base.data)
    i = next(i for i, r in enumerate(records) if r.body.startswith(b'{"result"'))
    records[i] = Record(records[i].name, records[i].body.replace(b"[[", b"[[ ", 1))
    path = tmp_path / "renamed.bel"
    path.write_bytes(write_records(records, 1_790_000_000))
    report = verify_archive(str(path), jobs=1)
    assert report.readable and not report.valid
    assert any("record name is not the hash of its body" in f.check for f in report.failures)


def test_first_record_is_not_the_header(base, tmp_path):
    records = read_records(base.data)
    path = tmp_path / "headless.bel"
    path.write_bytes(write_records(records[1:], 1_790_000_000))
    report = verify_archive(str(path), jobs=1)
    assert not report.readable
    assert any("BELENIOS" in f.check for f in report.failures)


# -- the identity element ------------------------------------------------------------------------


def test_a_ballot_whose_alpha_is_the_identity_with_proofs_is_accepted(tmp_path):
    """The identity is a group element (g^0): a ballot encrypted with randomness 0 for one
    choice has valid proofs and must be accepted, in the archive and in the tally."""
    from urne.ceremony import make_setup
    from urne.crypto.credentials import derive_secret
    from urne.crypto.primitives import secure_scalar

    sim = make_setup(voters=3, lists=3, seed="identity")
    draws = iter([0, 0])  # r of the blank slot and of list 1

    def zero_first() -> int:
        value = next(draws, None)
        return secure_scalar() if value is None else value

    secret = derive_secret(sim.election.uuid, sim.credentials[login(1)])
    ballot = create_ballot(sim.election, secret, one_hot(3, 2), zero_first)
    choices = ballot.answers[0].choices
    assert choices[0].alpha == IDENTITY and choices[1].alpha == IDENTITY
    assert choices[0].beta == IDENTITY  # g^0 · y^0
    raw = ballot.to_string()
    assert IDENTITY_HEX in raw
    verify_ballot_string(sim.election, raw)
    built = build_election([raw, (login(2), one_hot(3, 2))], voters=3, lists=3, seed="identity")
    path = tmp_path / "identity.bel"
    path.write_bytes(built.data)
    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.valid
    assert report.result == [[0, 0, 2, 0]]


# -- impossible thresholds (a crash before f8a261a) -------------------------------------------


@pytest.mark.parametrize("threshold", [0, 3])
def test_impossible_threshold_is_reported_not_raised(base, base_steps, tmp_path, threshold):
    timestamp, steps = base_steps
    steps = copy.deepcopy(steps)
    edit_setup(1, alter_threshold(threshold), fix_setup_data=True)(base, steps)
    path = tmp_path / "threshold.bel"
    path.write_bytes(rebuild(timestamp, steps))
    report = verify_archive(str(path), jobs=1)
    assert report.readable and not report.valid
    assert any("threshold" in f.check and "impossible" in f.check for f in report.failures)


def _verify_steps(timestamp: int, steps: list[Step], tmp_path):
    path = tmp_path / "archive.bel"
    path.write_bytes(rebuild(timestamp, steps))
    return verify_archive(str(path), jobs=1)


@pytest.mark.parametrize("keep_end_ballots", [True, False])
def test_result_without_an_encrypted_tally_is_refused(base_steps, tmp_path, keep_end_ballots):
    timestamp, steps = base_steps
    steps = copy.deepcopy(steps)
    del steps[TALLY]
    if not keep_end_ballots:
        del steps[END_BALLOTS]
    report = _verify_steps(timestamp, steps, tmp_path)
    assert not report.valid
    assert any("no EncryptedTally event before it" in f.check for f in report.failures)


def test_owner_true_is_refused(base_steps, tmp_path):
    timestamp, steps = base_steps
    steps = copy.deepcopy(steps)
    pd_text, owned_text = steps[PD_PRESIDENT].data
    owned = json.loads(owned_text)
    assert owned["owner"] == 1
    owned["owner"] = True
    steps[PD_PRESIDENT].data = [pd_text, dumps(owned)]
    report = _verify_steps(timestamp, steps, tmp_path)
    assert not report.valid
    assert any("owner True is not a trustee id" in f.check for f in report.failures)


def test_an_archive_that_stops_before_the_tally_is_valid(base_steps, tmp_path):
    # the complement of the test above: no tally and no decryption at all is a valid archive
    timestamp, steps = base_steps
    report = _verify_steps(timestamp, copy.deepcopy(steps[:TALLY]), tmp_path)
    assert report.valid and report.result is None and report.tallied == 0
