"""Ballots: creation and checking, homomorphic answers with blank (docs/protocol.md §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .election import Election, HomomorphicQuestion
from .encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_list,
    expect_object,
    expect_str,
    loads,
    sha256_b64,
)
from .group import GROUP, Element, Q
from .primitives import (
    Ciphertext,
    Proof,
    ScalarSource,
    Statement,
    combine_all,
    element_of_json,
    encrypt,
    prove_disjunction,
    schnorr_commitment,
    secure_scalar,
    verify_disjunction,
)


class BallotError(ValueError):
    """A ballot is refused (§5 Acceptance); ``check`` names the check that failed."""

    def __init__(self, check: str, detail: str = "") -> None:
        super().__init__(f"{check}: {detail}" if detail else check)
        self.check = check


@dataclass(frozen=True, slots=True)
class Answer:
    """A homomorphic answer (docs/protocol.md §5)."""

    choices: tuple[Ciphertext, ...]
    individual_proofs: tuple[tuple[Proof, ...], ...]
    overall_proof: tuple[Proof, ...]
    blank_proof: tuple[Proof, ...] | None = None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "choices": [c.to_json() for c in self.choices],
            "individual_proofs": [[p.to_json() for p in ps] for ps in self.individual_proofs],
            "overall_proof": [p.to_json() for p in self.overall_proof],
        }
        if self.blank_proof is not None:
            out["blank_proof"] = [p.to_json() for p in self.blank_proof]
        return out

    @staticmethod
    def of_json(value: JsonValue, what: str) -> Answer:
        obj = expect_object(
            value, what, ("choices", "individual_proofs", "overall_proof", "blank_proof")
        )

        def proofs(v: JsonValue, name: str) -> tuple[Proof, ...]:
            return tuple(Proof.of_json(p, f"{what} {name}") for p in expect_list(v, name))

        blank = obj.get("blank_proof")
        return Answer(
            choices=tuple(
                Ciphertext.of_json(c, f"{what} choice")
                for c in expect_list(obj.get("choices"), f"{what} choices")
            ),
            individual_proofs=tuple(
                proofs(p, "individual proof")
                for p in expect_list(obj.get("individual_proofs"), f"{what} individual proofs")
            ),
            overall_proof=proofs(obj.get("overall_proof"), "overall proof"),
            blank_proof=None if blank is None else proofs(blank, "blank proof"),
        )


@dataclass(frozen=True, slots=True)
class Ballot:
    """A signed ballot (docs/protocol.md §5)."""

    election_uuid: str
    election_hash: str
    credential: Element
    answers: tuple[Answer, ...]
    signature_hash: str | None = None
    signature_proof: Proof | None = None

    def to_json(self, *, signed: bool = True) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "election_uuid": self.election_uuid,
            "election_hash": self.election_hash,
            "credential": GROUP.element_to_string(self.credential),
            "answers": [a.to_json() for a in self.answers],
        }
        if signed and self.signature_hash is not None and self.signature_proof is not None:
            out["signature"] = {
                "hash": self.signature_hash,
                "proof": self.signature_proof.to_json(),
            }
        return out

    def to_string(self) -> str:
        return dumps(self.to_json())

    @property
    def tracker(self) -> str:
        """Smart ballot tracker: b64 SHA-256 of the ballot string (§5)."""
        return sha256_b64(self.to_string())


def parse_ballot(raw: str) -> Ballot:
    """Parse a ballot string; refuses anything not in canonical form (§1, §5 Acceptance)."""
    try:
        obj = expect_object(
            loads(raw),
            "ballot",
            ("election_uuid", "election_hash", "credential", "answers", "signature"),
        )
        signature = obj.get("signature")
        sig_hash: str | None = None
        sig_proof: Proof | None = None
        if signature is not None:
            sig = expect_object(signature, "signature", ("hash", "proof"))
            sig_hash = expect_str(sig.get("hash"), "signature hash")
            sig_proof = Proof.of_json(sig.get("proof"), "signature proof")
        ballot = Ballot(
            election_uuid=expect_str(obj.get("election_uuid"), "election_uuid"),
            election_hash=expect_str(obj.get("election_hash"), "election_hash"),
            credential=element_of_json(obj.get("credential"), "credential"),
            answers=tuple(
                Answer.of_json(a, f"answer {i + 1}")
                for i, a in enumerate(expect_list(obj.get("answers"), "answers"))
            ),
            signature_hash=sig_hash,
            signature_proof=sig_proof,
        )
    except FormatError as exc:
        raise BallotError("format", str(exc)) from exc
    if ballot.to_string() != raw:
        raise BallotError("canonical JSON", "the ballot is not in canonical form")
    return ballot


def _statement_prefix(election: Election, credential: Element) -> str:
    # S0 = φ | C (§5)
    return f"{election.fingerprint}|{GROUP.element_to_string(credential)}"


def _choices_string(choices: Sequence[Ciphertext]) -> str:
    s = GROUP.element_to_string
    return ",".join(f"{s(c.alpha)},{s(c.beta)}" for c in choices)


def _individual_prefix(s0: str, c: Ciphertext) -> str:
    s = GROUP.element_to_string
    return f"prove|{s0}|{s(c.alpha)},{s(c.beta)}|"


def _overall_statements(
    q: HomomorphicQuestion, choices: Sequence[Ciphertext]
) -> tuple[list[Statement], list[Statement] | None]:
    """The disjuncts of the overall proof and, with blank, of the blank proof (§5)."""
    if q.blank:
        c0, c_sum = choices[0], combine_all(choices[1:])
        blank = [(c0, 0), (c_sum, 0)]
        overall = [(c0, 1)] + [(c_sum, m) for m in range(q.min, q.max + 1)]
        return overall, blank
    c_sum = combine_all(choices)
    return [(c_sum, m) for m in range(q.min, q.max + 1)], None


def _overall_prefixes(
    q: HomomorphicQuestion, s: str, choices: Sequence[Ciphertext]
) -> tuple[str, str]:
    if q.blank:
        return f"bproof1|{s}|", f"bproof0|{s}|"
    return _individual_prefix(s, combine_all(choices)), ""


def create_answer(
    election: Election,
    s0: str,
    q: HomomorphicQuestion,
    plaintext: Sequence[int],
    random: ScalarSource,
) -> Answer:
    """Encrypt one question's choice with its proofs (§5, ``create_answer``)."""
    q.check_plaintext(plaintext)
    y = election.public_key
    rs = [random() for _ in plaintext]
    choices = [encrypt(y, r, m) for r, m in zip(rs, plaintext, strict=True)]
    individual = tuple(
        tuple(prove_disjunction(y, _individual_prefix(s0, c), [(c, 0), (c, 1)], m, r, random))
        for c, m, r in zip(choices, plaintext, rs, strict=True)
    )
    s = f"{s0}|{_choices_string(choices)}"
    overall_st, blank_st = _overall_statements(q, choices)
    overall_prefix, blank_prefix = _overall_prefixes(q, s, choices)
    if blank_st is None:
        overall = prove_disjunction(
            y, overall_prefix, overall_st, sum(plaintext) - q.min, sum(rs) % Q, random
        )
        return Answer(tuple(choices), individual, tuple(overall))
    m0, m_sum, r0, r_sum = plaintext[0], sum(plaintext[1:]), rs[0], sum(rs[1:]) % Q
    if m0 == 0:
        blank = prove_disjunction(y, blank_prefix, blank_st, 0, r0, random)
        overall = prove_disjunction(y, overall_prefix, overall_st, m_sum - q.min + 1, r_sum, random)
    else:
        blank = prove_disjunction(y, blank_prefix, blank_st, 1, r_sum, random)
        overall = prove_disjunction(y, overall_prefix, overall_st, 0, r0, random)
    return Answer(tuple(choices), individual, tuple(overall), tuple(blank))


def _signature_prefix(hash_b64: str) -> str:
    return f"sig|{hash_b64}|"


def create_ballot(
    election: Election,
    credential_secret: int,
    plaintext: Sequence[Sequence[int]],
    random: ScalarSource = secure_scalar,
) -> Ballot:
    """Create a signed ballot for ``plaintext`` (one 0/1 vector per question, blank first)
    with the credential's secret (docs/protocol.md §5, ``create_ballot``)."""
    if len(plaintext) != len(election.questions):
        raise ValueError(f"expected {len(election.questions)} answers, got {len(plaintext)}")
    credential = GROUP.mul_base(credential_secret)
    s0 = _statement_prefix(election, credential)
    answers = tuple(
        create_answer(election, s0, q, m, random)
        for q, m in zip(election.questions, plaintext, strict=True)
    )
    unsigned = Ballot(election.uuid, election.fingerprint, credential, answers)
    sig_hash = sha256_b64(dumps(unsigned.to_json(signed=False)))
    w = random()
    challenge = GROUP.hash_to_scalar(_signature_prefix(sig_hash), [GROUP.mul_base(w)])
    proof = Proof(challenge, (w - credential_secret * challenge) % Q)
    return Ballot(election.uuid, election.fingerprint, credential, answers, sig_hash, proof)


def check_answer(
    election: Election, s0: str, q: HomomorphicQuestion, answer: Answer, where: str
) -> None:
    """Check every proof of one answer (§5); raises BallotError naming the failed one."""
    y = election.public_key
    if len(answer.choices) != q.size or len(answer.individual_proofs) != q.size:
        raise BallotError(f"{where}: shape", f"expected {q.size} choices with their proofs")
    for j, c in enumerate(answer.choices):
        if not c.is_valid():
            raise BallotError(f"{where} choice {j + 1}: group membership", "not a group element")
    for j, (c, proofs) in enumerate(zip(answer.choices, answer.individual_proofs, strict=True)):
        if not verify_disjunction(y, _individual_prefix(s0, c), [(c, 0), (c, 1)], proofs):
            raise BallotError(f"{where} choice {j + 1}: individual proof")
    s = f"{s0}|{_choices_string(answer.choices)}"
    overall_st, blank_st = _overall_statements(q, answer.choices)
    overall_prefix, blank_prefix = _overall_prefixes(q, s, answer.choices)
    if blank_st is None:
        if answer.blank_proof is not None:
            raise BallotError(f"{where}: blank proof", "a blank proof in a question without blank")
    else:
        if answer.blank_proof is None:
            raise BallotError(f"{where}: blank proof", "missing")
        if not verify_disjunction(y, blank_prefix, blank_st, answer.blank_proof):
            raise BallotError(f"{where}: blank proof")
    # The sums are products of checked elements, hence members; checked anyway, as Belenios.
    if not all(c.is_valid() for c, _ in overall_st[-1:]):
        raise BallotError(f"{where}: group membership", "sum of the choices")
    if not verify_disjunction(y, overall_prefix, overall_st, answer.overall_proof):
        raise BallotError(f"{where}: overall proof")


def check_ballot(election: Election, ballot: Ballot) -> None:
    """Check a parsed ballot against the election (§5 ``check_ballot``): uuid, fingerprint,
    signature and every proof. Credential-list membership is the caller's (archive) check."""
    if ballot.election_uuid != election.uuid:
        raise BallotError("election uuid", "the ballot is for another election")
    if ballot.election_hash != election.fingerprint:
        raise BallotError("election hash", "the ballot is for other election parameters")
    if ballot.signature_hash is None or ballot.signature_proof is None:
        raise BallotError("signature", "missing")
    if ballot.signature_hash != sha256_b64(dumps(ballot.to_json(signed=False))):
        raise BallotError("signature hash", "does not match the ballot's content")
    if not GROUP.check(ballot.credential):
        raise BallotError("credential", "not a group element")
    commitment = schnorr_commitment(ballot.credential, ballot.signature_proof)
    expected = GROUP.hash_to_scalar(_signature_prefix(ballot.signature_hash), [commitment])
    if expected != ballot.signature_proof.challenge:
        raise BallotError("signature proof")
    if len(ballot.answers) != len(election.questions):
        raise BallotError("answers", f"expected {len(election.questions)} answers")
    s0 = _statement_prefix(election, ballot.credential)
    for i, (q, a) in enumerate(zip(election.questions, ballot.answers, strict=True)):
        check_answer(election, s0, q, a, f"question {i + 1}")


def verify_ballot_string(election: Election, raw: str) -> Ballot:
    """Parse (canonical form required, §1) and check a ballot string (§5); returns it."""
    ballot = parse_ballot(raw)
    check_ballot(election, ballot)
    return ballot
