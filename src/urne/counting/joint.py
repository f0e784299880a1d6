"""Joint lists (listes communes): the split of their votes between the organisations.

A list filed jointly by several organisations wins seats as one list (``urne.counting.seats``).
For the measure of each organisation's representativeness its votes are split « sur la base
qu'elles ont indiquée et rendue publique lors du dépôt de leur liste… A défaut d'une telle
indication, la répartition des suffrages se fait à parts égales » (Code général de la fonction
publique, art. R. 211-498; for the comités sociaux d'administration, art. R. 211-77 requires the
split to be shown on the candidature posted in the voting sections). The same rule is in the
Code du travail, art. L. 2122-3, for the private sector.

Splits are exact fractions: 100 votes split equally between three organisations are 100/3 each;
rounding, if any, is for display only (``urne.counting.pv.percent``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from .seats import CountingError


def votes_split(
    *, votes: int, organisations: Sequence[str], basis: Sequence[Fraction] | None = None
) -> dict[str, Fraction]:
    """Split a joint list's ``votes`` between its ``organisations``.

    ``basis`` is the declared share of each organisation (fractions of one, in the order of
    ``organisations``, summing to exactly 1); ``None`` when none was declared: equal shares.
    """
    if isinstance(votes, bool) or not isinstance(votes, int) or votes < 0:
        raise CountingError("votes must be a whole number, 0 or more")
    if not organisations or any(not isinstance(o, str) or not o for o in organisations):
        raise CountingError("a joint list needs named organisations")
    if len(set(organisations)) != len(organisations):
        raise CountingError("an organisation appears twice in a joint list")
    if basis is None:
        shares = [Fraction(1, len(organisations))] * len(organisations)
    else:
        shares = [Fraction(s) for s in basis]
        if len(shares) != len(organisations):
            raise CountingError("the declared basis needs one share per organisation")
        if any(s < 0 for s in shares) or sum(shares) != 1:
            raise CountingError("the declared shares must be 0 or more and add up to 1")
    return {o: votes * s for o, s in zip(organisations, shares, strict=True)}


def organisation_votes(*, splits: Iterable[Mapping[str, Fraction]]) -> dict[str, Fraction]:
    """Add up each organisation's votes over several lists' splits (a list filed by one
    organisation alone is the split ``{organisation: votes}``)."""
    total: dict[str, Fraction] = {}
    for split in splits:
        for organisation, votes in split.items():
            total[organisation] = total.get(organisation, Fraction(0)) + votes
    return total
