"""Trustee keys: single keys with proof of knowledge, the trustee list, the election key
(docs/protocol.md §6.1, §6.3); threshold groups are read and checked here, made in ``threshold``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .encoding import (
    FormatError,
    JsonValue,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    loads,
    sha256_hex,
)
from .group import DESCRIPTION, GROUP, Element
from .primitives import (
    Proof,
    ScalarSource,
    element_of_json,
    prove_knowledge,
    schnorr_commitment,
    secure_scalar,
)


@dataclass(frozen=True, slots=True)
class TrusteePublicKey:
    """``trustee_public_key`` (docs/protocol.md §6.1): key, proof of knowledge, and in threshold
    mode (3.0) the member's signature of the key."""

    public_key: Element
    pok: Proof
    signature: Proof | None = None
    name: str | None = None

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "pok": self.pok.to_json(),
            "public_key": GROUP.element_to_string(self.public_key),
        }
        if self.signature is not None:
            out["signature"] = self.signature.to_json()
        if self.name is not None:
            out["name"] = self.name
        return out

    @staticmethod
    def of_json(value: JsonValue, what: str = "trustee public key") -> TrusteePublicKey:
        obj = expect_object(value, what, ("pok", "public_key", "signature", "name"))
        sig = obj.get("signature")
        name = obj.get("name")
        return TrusteePublicKey(
            public_key=element_of_json(obj.get("public_key"), what),
            pok=Proof.of_json(obj.get("pok"), f"{what} pok"),
            signature=None if sig is None else Proof.of_json(sig, f"{what} signature"),
            name=None if name is None else expect_str(name, f"{what} name"),
        )


def _pok_prefix(public_key: Element) -> str:
    return f"pok|{DESCRIPTION}|{GROUP.element_to_string(public_key)}|"


def prove_key(x: int, random: ScalarSource = secure_scalar) -> TrusteePublicKey:
    """``g^x`` with its proof of knowledge (docs/protocol.md §6.1, ``MakeSimple.prove``)."""
    public_key = GROUP.mul_base(x)
    pok = prove_knowledge(
        [GROUP.generator], x, lambda a: GROUP.hash_to_scalar(_pok_prefix(public_key), a), random
    )
    return TrusteePublicKey(public_key, pok)


def generate_single_key(random: ScalarSource = secure_scalar) -> tuple[int, TrusteePublicKey]:
    """A single trustee's private key and public key with proof (§6.1)."""
    x = random()
    return x, prove_key(x, random)


def single_key_id(tpk: TrusteePublicKey) -> str:
    """belenios-tool's file name for a key: 8 hex of SHA-256(public key), upper case (§6.1)."""
    return sha256_hex(GROUP.element_to_string(tpk.public_key))[:8].upper()


def check_single(tpk: TrusteePublicKey) -> bool:
    """Membership and proof of knowledge (§6.1, ``check_single``)."""
    if not GROUP.check(tpk.public_key):
        return False
    commitment = schnorr_commitment(tpk.public_key, tpk.pok)
    return tpk.pok.challenge == GROUP.hash_to_scalar(_pok_prefix(tpk.public_key), [commitment])


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """``signed_msg`` (§6.2): a message string and a Schnorr signature of it."""

    message: str
    signature: Proof

    def to_json(self) -> dict[str, JsonValue]:
        return {"message": self.message, "signature": self.signature.to_json()}

    @staticmethod
    def of_json(value: JsonValue, what: str = "signed message") -> SignedMessage:
        obj = expect_object(value, what, ("message", "signature"))
        return SignedMessage(
            expect_str(obj.get("message"), f"{what} message"),
            Proof.of_json(obj.get("signature"), f"{what} signature"),
        )


@dataclass(frozen=True, slots=True)
class ThresholdParameters:
    """``threshold_parameters`` of a Pedersen group (§6.2, 3.0 format)."""

    threshold: int
    certs: tuple[SignedMessage, ...]
    coefexps: tuple[SignedMessage, ...]
    signatures: tuple[Proof, ...] | None
    verification_keys: tuple[TrusteePublicKey, ...]

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "threshold": self.threshold,
            "certs": [c.to_json() for c in self.certs],
            "coefexps": [c.to_json() for c in self.coefexps],
        }
        if self.signatures is not None:
            out["signatures"] = [s.to_json() for s in self.signatures]
        out["verification_keys"] = [v.to_json() for v in self.verification_keys]
        return out

    @staticmethod
    def of_json(value: JsonValue, what: str = "threshold parameters") -> ThresholdParameters:
        obj = expect_object(
            value, what, ("threshold", "certs", "coefexps", "signatures", "verification_keys")
        )
        sigs = obj.get("signatures")
        return ThresholdParameters(
            threshold=expect_int(obj.get("threshold"), f"{what} threshold"),
            certs=tuple(
                SignedMessage.of_json(c, f"{what} certificate")
                for c in expect_list(obj.get("certs"), f"{what} certs")
            ),
            coefexps=tuple(
                SignedMessage.of_json(c, f"{what} coefexps")
                for c in expect_list(obj.get("coefexps"), f"{what} coefexps")
            ),
            signatures=None
            if sigs is None
            else tuple(Proof.of_json(s, f"{what} signature") for s in expect_list(sigs, what)),
            verification_keys=tuple(
                TrusteePublicKey.of_json(v, f"{what} verification key")
                for v in expect_list(obj.get("verification_keys"), f"{what} verification keys")
            ),
        )


#: One entry of ``trustees.json``: a single key or a threshold group.
Trustee = TrusteePublicKey | ThresholdParameters


def trustees_to_json(trustees: Sequence[Trustee]) -> list[JsonValue]:
    """``trustees.json`` (§6): ``[["Single",…],["Pedersen",…]]``."""
    return [
        ["Single", t.to_json()] if isinstance(t, TrusteePublicKey) else ["Pedersen", t.to_json()]
        for t in trustees
    ]


def parse_trustees(value: JsonValue) -> list[Trustee]:
    """Read ``trustees.json`` (§6)."""
    if isinstance(value, str):
        value = loads(value)
    out: list[Trustee] = []
    for i, entry in enumerate(expect_list(value, "trustees")):
        item = expect_list(entry, f"trustee {i + 1}")
        if len(item) != 2:
            raise FormatError(f"trustee {i + 1}: [kind, data] expected")
        if item[0] == "Single":
            out.append(TrusteePublicKey.of_json(item[1], f"trustee {i + 1}"))
        elif item[0] == "Pedersen":
            out.append(ThresholdParameters.of_json(item[1], f"trustee {i + 1}"))
        else:
            raise FormatError(f"trustee {i + 1}: unknown kind {item[0]!r}")
    return out


def count_trustee_ids(trustees: Sequence[Trustee]) -> int:
    """Number of trustee ids (a threshold group has one per member, §8)."""
    return sum(1 if isinstance(t, TrusteePublicKey) else len(t.verification_keys) for t in trustees)


def raw_coefexps(signed: SignedMessage, what: str = "coefexps") -> list[Element]:
    """The ``{"coefexps":[…]}`` message of a signed coefexps (§6.2)."""
    obj = expect_object(loads(signed.message), what, ("coefexps",))
    return [element_of_json(e, what) for e in expect_list(obj.get("coefexps"), what)]


def election_public_key(trustees: Sequence[Trustee]) -> Element:
    """``y = Π_Single X · Π_Pedersen Π_i A_i0`` (§6.3, ``combine_keys``)."""
    acc = GROUP.identity
    for t in trustees:
        if isinstance(t, TrusteePublicKey):
            acc = GROUP.op(acc, t.public_key)
        else:
            for c in t.coefexps:
                acc = GROUP.op(acc, raw_coefexps(c)[0])
    return acc
