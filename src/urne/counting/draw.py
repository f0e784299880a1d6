"""The draw (tirage au sort) that settles a tie the other rules leave open, made reproducible.

The texts end the chain of tie rules with « le siège est attribué … par voie de tirage au
sort » (see ``urne.counting.seats``). A draw the bureau performs in session must be checkable
afterwards by anyone: here it is a deterministic function of a seed that the bureau states in
session (and that the procès-verbal records), the round, and the tied lists' names.

For each tied name ``n`` the digest is ``HMAC-SHA256(key=seed, message=C)`` where ``C`` is the
UTF-8 encoding of the compact JSON array ``["urne-seats/draw/1", round, n]`` (no spaces,
non-ASCII characters kept as such). The names sorted by increasing digest (hexadecimal, ties
impossible in practice and broken by the name) are the drawn order; the first wins. Anyone can
recompute it with any HMAC-SHA256 implementation (ADR 0400).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass

DRAW_CONTEXT = "urne-seats/draw/1"


@dataclass(frozen=True)
class Draw:
    """One draw: its inputs (seed, round, names in canonical order) and its outcome."""

    seed: str
    round: int
    names: tuple[str, ...]
    """The tied names in canonical order (sorted by code point)."""
    digests: tuple[str, ...]
    """Hexadecimal HMAC-SHA256 of each name, in the order of ``names``."""
    order: tuple[str, ...]
    """The names by increasing digest: the drawn permutation."""

    @property
    def winner(self) -> str:
        return self.order[0]


def draw_digest(*, seed: str, round: int, name: str) -> str:
    """The hexadecimal HMAC-SHA256 digest of one name in one round's draw."""
    message = json.dumps(
        [DRAW_CONTEXT, round, name], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    return hmac.new(seed.encode("utf-8"), message, hashlib.sha256).hexdigest()


def draw_order(*, seed: str, round: int, names: Sequence[str]) -> Draw:
    """Draw an order of ``names`` from the bureau's ``seed`` for seat-allocation ``round``.

    The same seed, round and names always give the same order, whatever the order in which the
    names are given.
    """
    if not isinstance(seed, str) or not seed:
        raise ValueError("the draw's seed must be a non-empty string")
    if len(set(names)) != len(names) or len(names) < 2:
        raise ValueError("a draw needs at least two distinct names")
    canonical = tuple(sorted(names))
    digests = tuple(draw_digest(seed=seed, round=round, name=n) for n in canonical)
    order = tuple(n for _, n in sorted(zip(digests, canonical, strict=True)))
    return Draw(seed=seed, round=round, names=canonical, digests=digests, order=order)
