"""ElGamal ciphertexts, proofs and disjunctive proofs shared by ballots and trustees.

docs/protocol.md §1 (proof objects, ``response = w − x·challenge``) and §5 (disjunctive proofs).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .encoding import FormatError, JsonValue, expect_object, expect_str
from .group import GROUP, Element, GroupError, Q, scalar_of_string

#: A source of uniform scalars in [0, Q). Real ballots and keys use :func:`secure_scalar`;
#: simulations pass a seeded one to be reproducible.
ScalarSource = Callable[[], int]


def secure_scalar() -> int:
    """A uniform scalar from the operating system's CSPRNG (docs/protocol.md §1)."""
    return secrets.randbelow(Q)


@dataclass(frozen=True, slots=True)
class Proof:
    """``{"challenge","response"}`` (docs/protocol.md §1)."""

    challenge: int
    response: int

    def to_json(self) -> dict[str, str]:
        return {"challenge": str(self.challenge), "response": str(self.response)}

    @staticmethod
    def of_json(value: JsonValue, what: str = "proof") -> Proof:
        obj = expect_object(value, what, ("challenge", "response"))
        try:
            return Proof(
                scalar_of_string(expect_str(obj.get("challenge"), what)),
                scalar_of_string(expect_str(obj.get("response"), what)),
            )
        except GroupError as exc:
            raise FormatError(f"{what}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An ElGamal ciphertext ``{"alpha","beta"}`` (docs/protocol.md §5)."""

    alpha: Element
    beta: Element

    def to_json(self) -> dict[str, str]:
        s = GROUP.element_to_string
        return {"alpha": s(self.alpha), "beta": s(self.beta)}

    @staticmethod
    def of_json(value: JsonValue, what: str = "ciphertext") -> Ciphertext:
        obj = expect_object(value, what, ("alpha", "beta"))
        return Ciphertext(
            element_of_json(obj.get("alpha"), what), element_of_json(obj.get("beta"), what)
        )

    def combine(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(GROUP.op(self.alpha, other.alpha), GROUP.op(self.beta, other.beta))

    def is_valid(self) -> bool:
        return GROUP.check(self.alpha) and GROUP.check(self.beta)


NEUTRAL_CIPHERTEXT = Ciphertext(GROUP.identity, GROUP.identity)


def element_of_json(value: Any, what: str) -> Element:
    """Parse an element string (§2.3; membership is checked by the caller, as Belenios does)."""
    try:
        return GROUP.element_of_string(expect_str(value, what))
    except GroupError as exc:
        raise FormatError(f"{what}: {exc}") from exc


def encrypt(public_key: Element, r: int, m: int) -> Ciphertext:
    """``(g^r, y^r·g^m)`` (docs/protocol.md §5, Encryption)."""
    return Ciphertext(GROUP.mul_base(r), GROUP.op(GROUP.mul(public_key, r), GROUP.mul_base(m)))


def combine_all(ciphertexts: Sequence[Ciphertext]) -> Ciphertext:
    """The product of ciphertexts (``eg_combine``, §5 overall proof, §7)."""
    acc = NEUTRAL_CIPHERTEXT
    for c in ciphertexts:
        acc = acc.combine(c)
    return acc


#: A statement of a disjunction: "ciphertext encrypts message m".
Statement = tuple[Ciphertext, int]


@functools.lru_cache(maxsize=256)
def _small_power(m: int) -> Element:
    # g^m for the few small messages of disjunctions (0/1, min..max): public, reused a lot.
    return GROUP.mul_base(m)


def _shifted_beta(c: Ciphertext, m: int) -> Element:
    return c.beta if m == 0 else GROUP.div(c.beta, _small_power(m))


def disjunction_commitments(
    public_key: Element, statements: Sequence[Statement], proofs: Sequence[Proof]
) -> list[Element]:
    """Recompute ``A_i = g^s·α^c, B_i = y^s·(β/g^m)^c`` for every disjunct (§5)."""
    out: list[Element] = []
    for (c, m), p in zip(statements, proofs, strict=True):
        out.append(GROUP.double_mul(GROUP.generator, p.response, c.alpha, p.challenge))
        out.append(GROUP.double_mul(public_key, p.response, _shifted_beta(c, m), p.challenge))
    return out


def verify_disjunction(
    public_key: Element, prefix: str, statements: Sequence[Statement], proofs: Sequence[Proof]
) -> bool:
    """Check a disjunctive Chaum–Pedersen proof: ``H(prefix, A,B…) = Σ c mod q`` (§5)."""
    if len(proofs) != len(statements):
        return False
    commitments = disjunction_commitments(public_key, statements, proofs)
    total = sum(p.challenge for p in proofs) % Q
    return GROUP.hash_to_scalar(prefix, commitments) == total


def prove_disjunction(
    public_key: Element,
    prefix: str,
    statements: Sequence[Statement],
    true_index: int,
    r: int,
    random: ScalarSource,
) -> list[Proof]:
    """Prove that ``statements[true_index]`` holds with randomness ``r`` (§5, ``iprove``)."""
    n = len(statements)
    if not 0 <= true_index < n:
        raise ValueError("the true disjunct is out of range")
    proofs: list[Proof | None] = [None] * n
    commitments: list[Element] = [GROUP.identity] * (2 * n)
    total = 0
    true_alpha = statements[true_index][0].alpha
    for i, (c, m) in enumerate(statements):
        if i == true_index:
            continue
        challenge, response = random(), random()
        proofs[i] = Proof(challenge, response)
        if c.alpha == true_alpha:  # α = g^r: one fixed-base multiplication is enough
            commitments[2 * i] = GROUP.mul_base(response + r * challenge)
        else:
            commitments[2 * i] = GROUP.double_mul(GROUP.generator, response, c.alpha, challenge)
        commitments[2 * i + 1] = GROUP.double_mul(
            public_key, response, _shifted_beta(c, m), challenge
        )
        total += challenge
    w = random()
    commitments[2 * true_index] = GROUP.mul_base(w)
    commitments[2 * true_index + 1] = GROUP.mul(public_key, w)
    challenge = (GROUP.hash_to_scalar(prefix, commitments) - total) % Q
    proofs[true_index] = Proof(challenge, (w - r * challenge) % Q)
    return [p for p in proofs if p is not None]


def prove_knowledge(
    base_elements: Sequence[Element],
    x: int,
    oracle: Callable[[list[Element]], int],
    random: ScalarSource,
) -> Proof:
    """Fiat–Shamir proof of knowledge of ``x`` (``fs_prove``, §6.1, §8)."""
    w = random()
    commitments = [
        GROUP.mul_base(w) if b == GROUP.generator else GROUP.mul(b, w) for b in base_elements
    ]
    challenge = oracle(commitments)
    return Proof(challenge, (w - x * challenge) % Q)


def schnorr_commitment(public: Element, proof: Proof) -> Element:
    """``g^response · X^challenge``: what a Schnorr proof of ``log_g X`` commits to (§1)."""
    return GROUP.double_mul(GROUP.generator, proof.response, public, proof.challenge)
