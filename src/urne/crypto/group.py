"""The Ed25519 group as Belenios uses it (docs/protocol.md §2.3).

Elements are kept as libsodium's 32-byte little-endian compressed points (an ``Element`` is
just ``bytes``: immutable, hashable, cheap); Belenios writes them as the byte-reverse, i.e.
a big-endian 64-char lowercase hex number. Scalars are Python ints in ``[0, Q)``.

Every group operation goes through :class:`Ed25519Group`, the one interface a faster backend
(e.g. a native multi-scalar one) would replace. libsodium refuses the identity point in its
scalar multiplication and validity check, while Belenios accepts it (``g^0``): the identity
is handled here explicitly.
"""

from __future__ import annotations

import hashlib
import os
from typing import NewType, Protocol

from nacl import bindings as _sodium
from nacl.exceptions import RuntimeError as _SodiumRuntimeError

Element = NewType("Element", bytes)

#: The prime order of the group (l in RFC 8032), docs/protocol.md §2.3.
Q = 2**252 + 27742317777372353535851937790883648493
#: The group's description string, hashed in proofs of knowledge (docs/protocol.md §6.1).
DESCRIPTION = "Ed25519"

_P = 2**255 - 19
IDENTITY = Element(bytes([1]) + bytes(31))
GENERATOR = Element(
    bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
)
_HEX_DIGITS = frozenset("0123456789abcdef")


class GroupError(ValueError):
    """An input is not an element or a scalar of the group (§1, §2.3)."""


def _scalar_bytes(n: int) -> bytes:
    return n.to_bytes(32, "little")


class Ed25519Group:
    """Group operations on Ed25519 through libsodium (docs/protocol.md §2.3)."""

    description = DESCRIPTION
    order = Q
    identity = IDENTITY
    generator = GENERATOR

    # -- encodings -------------------------------------------------------------------------

    @staticmethod
    def element_to_string(e: Element) -> str:
        """Belenios ``G.to_string``: big-endian lowercase hex, 64 chars (§2.3)."""
        return e[::-1].hex()

    @staticmethod
    def element_of_string(s: str) -> Element:
        """Parse an element string (§2.3); raises GroupError if it is not canonical hex.

        Membership is checked separately by :meth:`check`, as in Belenios.
        """
        if len(s) != 64 or not _HEX_DIGITS.issuperset(s):
            raise GroupError(f"not a group element encoding: {s[:70]!r}")
        return Element(bytes.fromhex(s)[::-1])

    # -- membership ------------------------------------------------------------------------

    @staticmethod
    def check(e: Element) -> bool:
        """Belenios ``G.check``: canonical, on the curve, of order Q (§1, §2.3).

        The identity is a member; the other small-order points, points with a torsion
        component and non-canonical encodings are not.
        """
        if e == IDENTITY:
            return True
        return bool(_sodium.crypto_core_ed25519_is_valid_point(e))

    # -- operations ------------------------------------------------------------------------

    @staticmethod
    def mul(e: Element, n: int) -> Element:
        """``e^n`` (written multiplicatively, as in Belenios)."""
        n %= Q
        if n == 0 or e == IDENTITY:
            return IDENTITY
        try:
            return Element(_sodium.crypto_scalarmult_ed25519_noclamp(_scalar_bytes(n), e))
        except _SodiumRuntimeError as exc:  # small-order input: never a checked element
            raise GroupError("scalar multiplication of a point outside the group") from exc

    @staticmethod
    def mul_base(n: int) -> Element:
        """``g^n`` with libsodium's fixed-base table."""
        n %= Q
        if n == 0:
            return IDENTITY
        return Element(_sodium.crypto_scalarmult_ed25519_base_noclamp(_scalar_bytes(n)))

    @staticmethod
    def op(a: Element, b: Element) -> Element:
        """The group law ``a·b`` (point addition)."""
        if a == IDENTITY:
            return b
        if b == IDENTITY:
            return a
        return Element(_sodium.crypto_core_ed25519_add(a, b))

    @staticmethod
    def div(a: Element, b: Element) -> Element:
        """``a / b``."""
        if b == IDENTITY:
            return a
        return Element(_sodium.crypto_core_ed25519_sub(a, b))

    @staticmethod
    def invert(a: Element) -> Element:
        """``1 / a``."""
        if a == IDENTITY:
            return a
        return Element(_sodium.crypto_core_ed25519_sub(IDENTITY, a))

    def double_mul(self, a: Element, m: int, b: Element, n: int) -> Element:
        """``a^m · b^n``: the shape of every proof check, one call for a multi-scalar backend.

        Only for public scalars (published proof values): a backend may run in variable time.
        """
        left = self.mul_base(m) if a == GENERATOR else self.mul(a, m)
        return self.op(left, self.mul(b, n))

    def product(self, elements: list[Element]) -> Element:
        """The product of a list of elements (identity for an empty list)."""
        acc = IDENTITY
        for e in elements:
            acc = self.op(acc, e)
        return acc

    @staticmethod
    def sort_key(e: Element) -> bytes:
        """Belenios orders elements by their libsodium bytes (public credential lists, §4)."""
        return bytes(e)

    # -- hashing ---------------------------------------------------------------------------

    def hash_to_scalar(self, prefix: str, elements: list[Element]) -> int:
        """Fiat–Shamir challenge ``G.hash`` (§1): SHA-256 of prefix‖e1,…,ek, mod Q."""
        text = prefix + ",".join(e[::-1].hex() for e in elements)
        return int(hashlib.sha256(text.encode()).hexdigest(), 16) % Q


class NativeEd25519Group(Ed25519Group):
    """libsodium, plus our variable-time double-scalar multiplication for proof checks (§2.3).

    libsodium re-checks subgroup membership inside every variable-base multiplication and
    has no double-scalar multiplication; checks of public proofs need neither (their inputs
    are checked once). Secret scalars never reach the native code: ``mul`` and ``mul_base``
    stay on libsodium's constant-time code.
    """

    def __init__(self, native: _NativeModule) -> None:
        self._native = native

    def double_mul(self, a: Element, m: int, b: Element, n: int) -> Element:
        return Element(self._native.double_mul(_scalar_bytes(m % Q), a, _scalar_bytes(n % Q), b))


class _NativeModule(Protocol):
    def double_mul(self, a: bytes, p: bytes, b: bytes, q: bytes) -> bytes: ...


def _select_group() -> Ed25519Group:
    # URNE_GROUP_BACKEND=libsodium forces the portable backend (cross-checks, benchmarks).
    if os.environ.get("URNE_GROUP_BACKEND", "native") == "libsodium":
        return Ed25519Group()
    try:
        from . import _ed25519
    except ImportError:  # built without a C compiler: libsodium alone is complete
        return Ed25519Group()
    return NativeEd25519Group(_ed25519)


#: The group every Urne election uses.
GROUP = _select_group()


def scalar_to_string(n: int) -> str:
    """Scalars are decimal strings in JSON (docs/protocol.md §1)."""
    return str(n)


def scalar_of_string(s: str) -> int:
    """Parse a canonical decimal scalar in ``[0, Q)`` (§1); raises GroupError otherwise."""
    if not isinstance(s, str) or not s.isascii() or not s.isdigit() or len(s) > 80:
        raise GroupError(f"not a scalar: {str(s)[:90]!r}")
    if len(s) > 1 and s[0] == "0":
        raise GroupError(f"scalar with leading zeros: {s[:90]!r}")
    n = int(s)
    if n >= Q:
        raise GroupError("scalar out of range [0, q)")
    return n
