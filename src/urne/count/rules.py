"""The count's rules (ADR 0800): when the count may open, when a scrutin has enough partial
decryptions, whether the votes match the émargements. Every caller asks here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from urne.crypto.trustees import Trustee, TrusteePublicKey
from urne.elections.calendar import vote_over

if TYPE_CHECKING:
    from urne.elections.models import Election


def seal_refusal(*, election: Election) -> str | None:
    """The polling station's seal check (ADR 0750): None if the election's seal (and the
    freeze's, once made) checks at the count, or the bureau recorded a decision about what
    changed; else ``sealed:<components>``, naming each component that changed
    (``bureau.seal.seal_refusal_code``). An election never sealed is not refused here."""
    from urne.bureau.seal import seal_refusal_code

    return seal_refusal_code(election=election)


def count_opening_refusal(*, election: Election, now: datetime) -> str | None:
    """None if the bureau may open the count of ``election`` at ``now``, else why not: the
    one gate of the count. ``vote_not_over`` until the vote is over (``calendar.vote_over``:
    past the close and the booth's grace period), ``not_frozen`` until the bureau (or the
    system's scheduler) froze it (``bureau.control.vote_freeze``), then whatever
    ``seal_refusal`` answers."""
    if not vote_over(election=election, now=now):
        return "vote_not_over"
    if election.vote_frozen_at is None:
        # The count reads frozen data only (ADR 0770): urns, émargements and counters.
        return "not_frozen"
    return seal_refusal(election=election)


def threshold_reached(*, trustees: Sequence[Trustee], owners: Collection[int]) -> bool:
    """Whether the partial decryptions of ``owners`` (trustee ids, §8) can be combined: every
    single trustee (the president) and ``threshold`` members of each threshold group (the
    delegates: at least 2)."""
    next_id = 1
    for t in trustees:
        if isinstance(t, TrusteePublicKey):
            if next_id not in owners:
                return False
            next_id += 1
            continue
        members = range(next_id, next_id + len(t.verification_keys))
        if sum(1 for m in members if m in owners) < t.threshold:
            return False
        next_id += len(t.verification_keys)
    return True


def trustee_role(*, trustees: Sequence[Trustee], owner: int) -> str:
    """``president`` for a single trustee's id, ``delegate N`` for a threshold member's."""
    next_id = 1
    for t in trustees:
        if isinstance(t, TrusteePublicKey):
            if owner == next_id:
                return "president"
            next_id += 1
            continue
        if next_id <= owner < next_id + len(t.verification_keys):
            return f"delegate {owner - next_id + 1}"
        next_id += len(t.verification_keys)
    return f"trustee {owner}"
