"""A lost key (ADR 0701): the bureau records that a holder's key (the president's single key
or a delegate's share) is lost, and sees what follows.

- **Before the seal**, nothing depends on the keys yet: the ceremony starts again, every key
  made before the decision set aside (``ceremony_reset_at`` is the moment the key ceremony
  compares its steps with), and the manager's or the ceremony's new setups replace the urns'.
- **After the seal**, the keys are part of what was sealed and the urns may hold ballots
  encrypted under them: no key is made again. The count needs the president's key and
  ``threshold`` of the delegates' shares (``urne.count.rules.threshold_reached``): a lost share
  is borne while the other delegates still reach the threshold; the president's key, or one
  share too many, and no result can be decrypted — the bureau records it and the vote has to
  be held again (the law's remedy, not the platform's).

The seal is part 2's; until it exists, the vote's opening stands for it (the seal is made
before the opening, so from then on it has been made): ``sealed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urne.audit.services import audit_append
from urne.crypto.trustees import TrusteePublicKey
from urne.elections.calendar import Phase, election_phase
from urne.elections.models import Election
from urne.urn.selectors import urn_trustees

from .models import Bureau, KeyLoss, Member
from .selectors import bureau_scrutins, key_holders


class KeyLossError(Exception):
    MESSAGES: ClassVar[dict[str, Any]] = {
        "president_only": _("Seul le président enregistre une décision du bureau."),
        "not_holder": _("Ce membre ne détient pas de clé."),
        "already_lost": _("La perte de cette clé est déjà enregistrée."),
        "reason_needed": _("Indiquez ce que le bureau a constaté."),
        "present_unknown": _("Les présents doivent être des membres de ce bureau."),
        "president_absent": _("Le président doit être présent à la décision."),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.code])


def sealed(election: Election, now: datetime | None = None) -> bool:
    """Whether the election's keys are sealed (see the module: the opening stands for the
    seal until part 2 gives it its own record)."""
    return election_phase(election, now) in (Phase.VOTE, Phase.CLOSED)


def ceremony_reset_at(bureau: Bureau) -> datetime | None:
    """The last decision before the seal that a key is lost: a key ceremony begun before it
    is void and starts again."""
    loss = (
        KeyLoss.objects.filter(bureau=bureau, phase=KeyLoss.Phase.BEFORE_SEAL)
        .order_by("-recorded_at")
        .first()
    )
    return loss.recorded_at if loss is not None else None


def key_loss_declare(
    *,
    bureau: Bureau,
    recorder: Member,
    holder: Member,
    present: list[Member],
    reason: str,
    now: datetime | None = None,
) -> KeyLoss:
    """The president records the bureau's decision that ``holder``'s key is lost."""
    now = now or timezone.now()
    reason = reason.strip()
    if recorder.bureau_id != bureau.pk or recorder.role != Member.Role.PRESIDENT:
        raise KeyLossError("president_only")
    if holder.bureau_id != bureau.pk or not holder.holds_key:
        raise KeyLossError("not_holder")
    if not reason:
        raise KeyLossError("reason_needed")
    if any(m.bureau_id != bureau.pk for m in present):
        raise KeyLossError("present_unknown")
    if recorder.pk not in {m.pk for m in present}:
        raise KeyLossError("president_absent")
    phase = KeyLoss.Phase.AFTER_SEAL if sealed(bureau.election, now) else KeyLoss.Phase.BEFORE_SEAL
    with transaction.atomic():
        if (
            phase == KeyLoss.Phase.AFTER_SEAL
            and KeyLoss.objects.filter(bureau=bureau, holder=holder, phase=phase).exists()
        ):
            raise KeyLossError("already_lost")
        loss = KeyLoss.objects.create(
            bureau=bureau,
            holder=holder,
            phase=phase,
            reason=reason,
            present=[{"id": m.pk, "name": m.name, "role": m.role} for m in present],
            recorded_by=recorder,
            recorded_at=now,
        )
        audit_append(
            actor=recorder.user,
            action="bureau.key_loss",
            obj=loss,
            data={
                "election": bureau.election_id,
                "name": holder.name,
                "role": holder.role,
                "phase": phase,
                "reason": reason,
                "present": [m.name for m in present],
            },
        )
    return loss


@dataclass(frozen=True, slots=True)
class KeyState:
    """What the lost-key page shows: the phase, the threshold as the urns hold it, who holds
    a key still, and the verdict:

    - ``ceremony_again``: before the seal, a key was declared lost since the last ceremony;
    - ``no_keys``: no setup in the urns yet (the ceremony has not written one);
    - ``count_possible``: after the seal, the president's key and ``threshold`` shares remain;
    - ``count_impossible``: after the seal, the president's key or too many shares are lost.
    """

    sealed: bool
    verdict: str
    threshold: int | None
    shares: int | None
    president_lost: bool
    delegates_lost: int
    delegates_left: int
    losses: list[KeyLoss]


def _threshold(bureau: Bureau) -> tuple[int | None, int | None]:
    """(threshold, number of shares) of the first covered scrutin whose urn has a setup."""
    for scrutin in bureau_scrutins(bureau):
        trustees = urn_trustees(scrutin_uuid=scrutin.uuid)
        if trustees is None:
            continue
        for trustee in trustees:
            if not isinstance(trustee, TrusteePublicKey):
                return trustee.threshold, len(trustee.verification_keys)
        return None, None
    return None, None


def key_state(*, bureau: Bureau, now: datetime | None = None) -> KeyState:
    is_sealed = sealed(bureau.election, now)
    losses = list(
        KeyLoss.objects.filter(bureau=bureau).select_related("holder").order_by("-recorded_at")
    )
    after = [loss for loss in losses if loss.phase == KeyLoss.Phase.AFTER_SEAL]
    lost_ids = {loss.holder_id for loss in after}
    holders = list(key_holders(bureau))
    president_lost = any(h.role == Member.Role.PRESIDENT and h.pk in lost_ids for h in holders)
    delegates = [h for h in holders if h.role == Member.Role.DELEGATE]
    delegates_lost = sum(1 for h in delegates if h.pk in lost_ids)
    threshold, shares = _threshold(bureau)
    left = (shares if shares is not None else len(delegates)) - delegates_lost
    if not is_sealed:
        verdict = "ceremony_again" if losses else "no_keys" if threshold is None else "keys_made"
    elif president_lost or (threshold is not None and left < threshold):
        verdict = "count_impossible"
    elif threshold is None:
        verdict = "no_keys"
    else:
        verdict = "count_possible"
    return KeyState(
        sealed=is_sealed,
        verdict=verdict,
        threshold=threshold,
        shares=shares,
        president_lost=president_lost,
        delegates_lost=delegates_lost,
        delegates_left=left,
        losses=losses,
    )
