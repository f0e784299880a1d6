"""Encrypted tally, partial decryptions, their combination and the result
(docs/protocol.md §7, §8)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .ballot import Ballot
from .election import Election
from .encoding import (
    FormatError,
    JsonValue,
    dumps,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    sha256_hex,
)
from .group import GROUP, Element, Q
from .primitives import (
    NEUTRAL_CIPHERTEXT,
    Ciphertext,
    Proof,
    ScalarSource,
    element_of_json,
    prove_knowledge,
    secure_scalar,
)
from .trustees import Trustee, TrusteePublicKey

#: One ciphertext per slot, one list per question (§7 ``encrypted_tally``).
EncryptedTally = tuple[tuple[Ciphertext, ...], ...]


def empty_tally(election: Election) -> EncryptedTally:
    """The neutral tally of an election (§7): every slot encrypts 0 with randomness 0."""
    return tuple((NEUTRAL_CIPHERTEXT,) * q.size for q in election.questions)


def add_ballot(tally: EncryptedTally, ballot: Ballot, weight: int = 1) -> EncryptedTally:
    """Fold one ballot into a running tally: ``C_j · (α_j, β_j)^weight`` (§7)."""
    return add_choices(tally, [a.choices for a in ballot.answers], weight)


def add_choices(
    tally: EncryptedTally, choices: Sequence[Sequence[Ciphertext]], weight: int = 1
) -> EncryptedTally:
    """Fold one ballot's ciphertexts (one sequence per question) into a tally (§7)."""
    out = []
    for slots, question in zip(tally, choices, strict=True):
        new = []
        for acc, c in zip(slots, question, strict=True):
            if weight != 1:
                c = Ciphertext(GROUP.mul(c.alpha, weight), GROUP.mul(c.beta, weight))
            new.append(acc.combine(c))
        out.append(tuple(new))
    return tuple(out)


def compute_encrypted_tally(
    election: Election, ballots: Iterable[tuple[Ballot, int]]
) -> tuple[EncryptedTally, int, int]:
    """The tally of (ballot, weight) pairs, already reduced to the last ballot per
    credential; returns (tally, num_tallied, total_weight) (§7)."""
    tally = empty_tally(election)
    count = total = 0
    for ballot, weight in ballots:
        tally = add_ballot(tally, ballot, weight)
        count += 1
        total += weight
    return tally, count, total


def tally_to_json(tally: EncryptedTally) -> list[list[dict[str, str]]]:
    """``encrypted_tally`` JSON (§7)."""
    return [[c.to_json() for c in slots] for slots in tally]


def tally_of_json(value: JsonValue) -> EncryptedTally:
    """Read ``encrypted_tally`` JSON (§7)."""
    return tuple(
        tuple(Ciphertext.of_json(c, "encrypted tally") for c in expect_list(q, "encrypted tally"))
        for q in expect_list(value, "encrypted tally")
    )


def _weight_to_json(w: int) -> JsonValue:
    # Belenios writes weights as JSON ints up to 2^30 − 1, as strings above (§7).
    return w if w <= 2**30 - 1 else str(w)


def sized_tally_json(tally_text: str, num_tallied: int, total_weight: int) -> dict[str, JsonValue]:
    """``sized_encrypted_tally`` (§7): counts and the SHA-256 hex of the tally string."""
    return {
        "num_tallied": num_tallied,
        "total_weight": _weight_to_json(total_weight),
        "encrypted_tally": sha256_hex(tally_text),
    }


def parse_sized_tally(value: JsonValue) -> tuple[int, int, str]:
    """Read ``sized_encrypted_tally`` (§7): (num_tallied, total_weight, tally hash)."""
    obj = expect_object(
        value, "sized encrypted tally", ("num_tallied", "total_weight", "encrypted_tally")
    )
    weight = obj.get("total_weight")
    if isinstance(weight, str) and weight.isascii() and weight.isdigit():
        weight = int(weight)
    return (
        expect_int(obj.get("num_tallied"), "num_tallied"),
        expect_int(weight, "total_weight"),
        expect_str(obj.get("encrypted_tally"), "encrypted_tally"),
    )


@dataclass(frozen=True, slots=True)
class PartialDecryption:
    """``partial_decryption`` (§8): one factor and one proof per tally slot."""

    factors: tuple[tuple[Element, ...], ...]
    proofs: tuple[tuple[Proof, ...], ...]

    def to_json(self) -> dict[str, JsonValue]:
        s = GROUP.element_to_string
        return {
            "decryption_factors": [[s(f) for f in q] for q in self.factors],
            "decryption_proofs": [[p.to_json() for p in q] for q in self.proofs],
        }

    @staticmethod
    def of_json(value: JsonValue) -> PartialDecryption:
        obj = expect_object(
            value, "partial decryption", ("decryption_factors", "decryption_proofs")
        )
        return PartialDecryption(
            tuple(
                tuple(element_of_json(f, "decryption factor") for f in expect_list(q, "factors"))
                for q in expect_list(obj.get("decryption_factors"), "decryption factors")
            ),
            tuple(
                tuple(Proof.of_json(p, "decryption proof") for p in expect_list(q, "proofs"))
                for q in expect_list(obj.get("decryption_proofs"), "decryption proofs")
            ),
        )


def _decrypt_prefix(election: Election, public_key: Element) -> str:
    return f"decrypt|{election.fingerprint}|{GROUP.element_to_string(public_key)}|"


def compute_partial_decryption(
    election: Election, tally: EncryptedTally, x: int, random: ScalarSource = secure_scalar
) -> PartialDecryption:
    """A trustee's factors ``α^x`` with proofs (§8, ``compute_factor``)."""
    for slots in tally:
        if not all(c.is_valid() for c in slots):
            raise ValueError("invalid ciphertext in the encrypted tally")
    prefix = _decrypt_prefix(election, GROUP.mul_base(x))
    factors, proofs = [], []
    for slots in tally:
        factors.append(tuple(GROUP.mul(c.alpha, x) for c in slots))
        proofs.append(
            tuple(
                prove_knowledge(
                    [GROUP.generator, c.alpha],
                    x,
                    lambda a: GROUP.hash_to_scalar(prefix, a),
                    random,
                )
                for c in slots
            )
        )
    return PartialDecryption(tuple(factors), tuple(proofs))


def check_partial_decryption(
    election: Election, tally: EncryptedTally, public_key: Element, pd: PartialDecryption
) -> str | None:
    """Check every factor and proof (§8, ``check_factor``); returns the failure or None."""
    if [len(q) for q in pd.factors] != [len(q) for q in tally] or [len(q) for q in pd.proofs] != [
        len(q) for q in tally
    ]:
        return "shape differs from the encrypted tally"
    prefix = _decrypt_prefix(election, public_key)
    for i, (slots, fs, ps) in enumerate(zip(tally, pd.factors, pd.proofs, strict=True)):
        for j, (c, f, p) in enumerate(zip(slots, fs, ps, strict=True)):
            where = f"question {i + 1} slot {j + 1}"
            if not GROUP.check(f):
                return f"decryption factor of {where} is not a group element"
            a = GROUP.double_mul(GROUP.generator, p.response, public_key, p.challenge)
            b = GROUP.double_mul(c.alpha, p.response, f, p.challenge)
            if GROUP.hash_to_scalar(prefix, [a, b]) != p.challenge:
                return f"decryption proof of {where}"
    return None


def decryption_keys(trustees: Sequence[Trustee]) -> tuple[tuple[int, Element], ...]:
    """Every partial decryption's owner id (1-based, in trustee order, §8) with the public key
    its proofs verify under: a single trustee's key, or each threshold member's verification
    key."""
    out: list[tuple[int, Element]] = []
    next_id = 1
    for t in trustees:
        if isinstance(t, TrusteePublicKey):
            out.append((next_id, t.public_key))
            next_id += 1
        else:
            for m, vk in enumerate(t.verification_keys):
                out.append((next_id + m, vk.public_key))
            next_id += len(t.verification_keys)
    return tuple(out)


def _slot_verifies(prefix: str, c: Ciphertext, f: Element, p: Proof, public_key: Element) -> bool:
    if not GROUP.check(f):
        return False
    a = GROUP.double_mul(GROUP.generator, p.response, public_key, p.challenge)
    b = GROUP.double_mul(c.alpha, p.response, f, p.challenge)
    return GROUP.hash_to_scalar(prefix, [a, b]) == p.challenge


def partial_decryption_owner(
    election: Election,
    tally: EncryptedTally,
    trustees: Sequence[Trustee],
    pd: PartialDecryption,
) -> tuple[int | None, str | None]:
    """Whose partial decryption this is, from its proofs alone (§8): ``(owner, None)`` when
    every proof verifies under the key of trustee ``owner``; ``(owner, failure)`` when some
    of its proofs verify under that key and another does not (a corrupted file);
    ``(None, failure)`` when no proof verifies under any trustee's key of this election (a
    wrong key, or a file made for another election or tally)."""
    if [len(q) for q in pd.factors] != [len(q) for q in tally] or [len(q) for q in pd.proofs] != [
        len(q) for q in tally
    ]:
        return None, "shape differs from the encrypted tally"
    slots = [
        (c, f, p)
        for cs, fs, ps in zip(tally, pd.factors, pd.proofs, strict=True)
        for c, f, p in zip(cs, fs, ps, strict=True)
    ]
    keys = decryption_keys(trustees)
    # The first slot names the owner at the cost of one proof check per key; only a file
    # whose first proof is broken costs a check of every slot under every key.
    for probe in (slots[:1], slots[1:]):
        for owner, key in keys:
            prefix = _decrypt_prefix(election, key)
            if any(_slot_verifies(prefix, c, f, p, key) for c, f, p in probe):
                return owner, check_partial_decryption(election, tally, key, pd)
    return None, "no proof verifies under a trustee's key"


class CombinationError(ValueError):
    """Partial decryptions cannot be combined (``combination_error``, §8)."""


def lagrange(indexes: Sequence[int], j: int) -> int:
    """``λ_j = Π_{k≠j} k/(k−j) mod q`` over 1-based member indexes (§8)."""
    acc = 1
    for k in indexes:
        if k != j:
            acc = acc * k * pow(k - j, -1, Q) % Q
    return acc


def combine_factors(
    election: Election,
    tally: EncryptedTally,
    trustees: Sequence[Trustee],
    partial_decryptions: Mapping[int, PartialDecryption],
) -> tuple[tuple[Element, ...], ...]:
    """Combine partial decryptions keyed by trustee id (1-based, §8): every single trustee's
    is needed; for a threshold group all given are checked and the first ``threshold`` in
    member order are combined with Lagrange coefficients (``compute_synthetic_factors``)."""
    combined = [[GROUP.identity] * len(q) for q in tally]

    def fold(pd: PartialDecryption, exponent: int) -> None:
        for i, fs in enumerate(pd.factors):
            for j, f in enumerate(fs):
                term = f if exponent == 1 else GROUP.mul(f, exponent)
                combined[i][j] = GROUP.op(combined[i][j], term)

    next_id = 1
    for t in trustees:
        if isinstance(t, TrusteePublicKey):
            pd = partial_decryptions.get(next_id)
            if pd is None:
                raise CombinationError(f"missing partial decryption of trustee {next_id}")
            failure = check_partial_decryption(election, tally, t.public_key, pd)
            if failure:
                raise CombinationError(f"trustee {next_id}: {failure}")
            fold(pd, 1)
            next_id += 1
            continue
        available: list[tuple[int, PartialDecryption]] = []
        for m, vk in enumerate(t.verification_keys, start=1):
            pd = partial_decryptions.get(next_id + m - 1)
            if pd is None:
                continue
            failure = check_partial_decryption(election, tally, vk.public_key, pd)
            if failure:
                raise CombinationError(f"trustee {next_id + m - 1}: {failure}")
            available.append((m, pd))
        if len(available) < t.threshold:
            raise CombinationError(
                f"not enough partial decryptions for the threshold group "
                f"({len(available)} of {t.threshold} needed)"
            )
        chosen = available[: t.threshold]
        indexes = [m for m, _ in chosen]
        for m, pd in chosen:
            fold(pd, lagrange(indexes, m))
        next_id += len(t.verification_keys)
    return tuple(tuple(q) for q in combined)


class DiscreteLog:
    """``log_g`` for values in ``[0, bound]`` by baby-step giant-step (§8): the table of
    ``⌈√(bound+1)⌉`` baby steps is built once and shared by every slot of a result."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.m = max(1, math.isqrt(bound) + 1)
        self.table: dict[Element, int] = {}
        e = GROUP.identity
        for i in range(self.m):
            self.table.setdefault(e, i)
            e = GROUP.op(e, GROUP.generator)
        self.giant = GROUP.invert(e)  # g^-m

    def log(self, h: Element) -> int | None:
        for k in range(self.m + 1):
            i = self.table.get(h)
            if i is not None:
                value = k * self.m + i
                return value if value <= self.bound else None
            h = GROUP.op(h, self.giant)
        return None


def compute_result(
    tally: EncryptedTally, factors: Sequence[Sequence[Element]], total_weight: int
) -> list[list[int]]:
    """``log_g(β / F)`` for every slot (§8 Result); raises CombinationError if a count is
    not in ``[0, total_weight]``."""
    dlog = DiscreteLog(total_weight)
    result = []
    for slots, fs in zip(tally, factors, strict=True):
        row = []
        for c, f in zip(slots, fs, strict=True):
            value = dlog.log(GROUP.div(c.beta, f))
            if value is None:
                raise CombinationError("a decrypted count is out of range")
            row.append(value)
        result.append(row)
    return result


def result_to_json(result: Sequence[Sequence[int]]) -> dict[str, JsonValue]:
    """``{"result":[[…]]}`` (§8)."""
    return {"result": [[_weight_to_json(v) for v in q] for q in result]}


def parse_result(value: JsonValue) -> list[list[int]]:
    """Read ``{"result":[[…]]}`` (§8); counts may be strings above 2^30 − 1."""
    obj = expect_object(value, "result", ("result",))
    out = []
    for q in expect_list(obj.get("result"), "result"):
        row = []
        for v in expect_list(q, "result"):
            if isinstance(v, str) and v.isascii() and v.isdigit():
                v = int(v)
            row.append(expect_int(v, "result count"))
        out.append(row)
    return out


def owned_json(owner: int, payload_text: str) -> dict[str, JsonValue]:
    """``owned`` wrapper of an archived partial decryption (§8)."""
    return {"owner": owner, "payload": sha256_hex(payload_text)}


def tally_text(tally: EncryptedTally) -> str:
    """The canonical ``encrypted_tally`` string (§7), as archived and hashed."""
    return dumps(tally_to_json(tally))


__all__ = [
    "CombinationError",
    "DiscreteLog",
    "EncryptedTally",
    "FormatError",
    "PartialDecryption",
    "add_ballot",
    "add_choices",
    "check_partial_decryption",
    "combine_factors",
    "compute_encrypted_tally",
    "compute_partial_decryption",
    "compute_result",
    "decryption_keys",
    "empty_tally",
    "lagrange",
    "owned_json",
    "parse_result",
    "parse_sized_tally",
    "partial_decryption_owner",
    "result_to_json",
    "sized_tally_json",
    "tally_of_json",
    "tally_text",
    "tally_to_json",
]
