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

``sealed``: the bureau's seal took effect (``seal.election_sealed``), or the vote opened (the
seal is made before the opening, so from then on it has been made).

``keys_reset`` (ADR 0703) is what the president does after a loss declared before the seal:
the live ceremony is cancelled (its keys void: a new ceremony refuses them), the covered
urns' setups are removed while they are empty, and a new ceremony may be opened.
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

from .models import Bureau, Ceremony, KeyLoss, Member
from .selectors import bureau_scrutins, key_holders


class KeyLossError(Exception):
    MESSAGES: ClassVar[dict[str, Any]] = {
        "president_only": _("Seul le président enregistre une décision du bureau."),
        "not_holder": _("Ce membre ne détient pas de clé."),
        "already_lost": _("La perte de cette clé est déjà enregistrée."),
        "reason_needed": _("Indiquez ce que le bureau a constaté."),
        "present_unknown": _("Les présents doivent être des membres de ce bureau."),
        "president_absent": _("Le président doit être présent à la décision."),
        "reset_president_only": _("Seul le président annule la cérémonie des clés."),
        "reset_sealed": _(
            "Après le scellement, aucune clé n'est refaite : la cérémonie ne peut plus être "
            "annulée. Le dépouillement reste possible tant que la clé du président et au moins "
            "%(t)s parts de délégués restent ; sinon aucun résultat ne peut être déchiffré et le "
            "vote doit être organisé de nouveau."
        ),
        "reset_no_loss": _(
            "Aucune perte de clé n'a été constatée depuis l'ouverture de cette cérémonie : "
            "enregistrez d'abord la décision du bureau."
        ),
        "reset_nothing": _("Il n'y a ni cérémonie ni clé installée dans les urnes à annuler."),
        "reset_urn_not_empty": _(
            "Une urne contient déjà des bulletins : ses clés ne peuvent plus être remplacées."
        ),
    }

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        text = str(self.MESSAGES[self.code])
        return text % self.params if self.params else text


def sealed(election: Election, now: datetime | None = None) -> bool:
    """Whether the election's keys are sealed: its seal took effect, or the vote opened (the
    seal is made before the opening)."""
    from .seal import election_sealed

    return election_sealed(election) or election_phase(election, now) in (Phase.VOTE, Phase.CLOSED)


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
    reset_at = ceremony_reset_at(bureau)
    live = _live_ceremony(bureau)
    again = reset_at is not None and (live is None or live.started_at < reset_at)
    if not is_sealed:
        verdict = "ceremony_again" if again else "no_keys" if threshold is None else "keys_made"
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


# -- the ceremony again (ADR 0703) -------------------------------------------------------------


def _live_ceremony(bureau: Bureau) -> Ceremony | None:
    return bureau.ceremonies.exclude(phase=Ceremony.Phase.CANCELLED).first()


@dataclass(frozen=True, slots=True)
class ResetState:
    """What the cancel page shows: whether the president may cancel now, else why not
    (``refusal``: a ``KeyLossError``), the live ceremony, the urns that hold a setup, and the
    loss that voids the keys."""

    refusal: KeyLossError | None
    ceremony: Ceremony | None
    set_up: list[Any]
    loss: KeyLoss | None


def reset_state(*, bureau: Bureau, now: datetime | None = None) -> ResetState:
    from urne.authority.models import ScrutinSetup

    ceremony = _live_ceremony(bureau)
    scrutins = list(bureau_scrutins(bureau))
    done = set(
        ScrutinSetup.objects.filter(scrutin_uuid__in=[s.uuid for s in scrutins]).values_list(
            "scrutin_uuid", flat=True
        )
    )
    set_up = [s for s in scrutins if s.uuid in done]
    loss = (
        KeyLoss.objects.filter(bureau=bureau, phase=KeyLoss.Phase.BEFORE_SEAL)
        .select_related("holder")
        .order_by("-recorded_at")
        .first()
    )
    refusal: KeyLossError | None = None
    if sealed(bureau.election, now):
        threshold = key_state(bureau=bureau, now=now).threshold
        refusal = KeyLossError("reset_sealed", t=threshold if threshold is not None else "t")
    elif ceremony is None and not set_up:
        refusal = KeyLossError("reset_nothing")
    elif loss is None or (ceremony is not None and ceremony.started_at >= loss.recorded_at):
        refusal = KeyLossError("reset_no_loss")
    return ResetState(refusal, ceremony, set_up, loss)


def keys_reset(*, bureau: Bureau, actor: Any, now: datetime | None = None) -> ResetState:
    """The president cancels the keys made before a loss declared before the seal: the
    covered urns' setups are removed (each still empty), the live ceremony cancelled (its
    keys are refused by the next one, ``ceremony.voided_keys``); audited as
    ``bureau.ceremony_cancel``. A new ceremony may then be opened."""
    from urne.authority.setup import setups_remove
    from urne.urn.services import UrnError

    now = now or timezone.now()
    actor_id = getattr(actor, "pk", None) or 0
    recorder = Member.objects.filter(bureau=bureau, user_id=actor_id).first()
    if recorder is None or recorder.role != Member.Role.PRESIDENT:
        raise KeyLossError("reset_president_only")
    state = reset_state(bureau=bureau, now=now)
    if state.refusal is not None:
        raise state.refusal
    try:
        removed = setups_remove(election=bureau.election, scrutins=state.set_up, actor=actor)
    except UrnError as exc:
        raise KeyLossError("reset_urn_not_empty") from exc
    with transaction.atomic():
        ceremony = None
        if state.ceremony is not None:
            ceremony = Ceremony.objects.select_for_update().get(pk=state.ceremony.pk)
            ceremony.phase = Ceremony.Phase.CANCELLED
            ceremony.cancelled_at, ceremony.cancelled_by = now, actor
            ceremony.save(update_fields=["phase", "cancelled_at", "cancelled_by"])
        loss = state.loss
        assert loss is not None  # noqa: S101 - reset_state refuses without one
        audit_append(
            actor=actor,
            action="bureau.ceremony_cancel",
            obj=ceremony if ceremony is not None else bureau,
            data={
                "election": bureau.election_id,
                "ceremony": ceremony.pk if ceremony is not None else None,
                "name": loss.holder.name,
                "role": loss.holder.role,
                "reason": loss.reason,
                "scrutin": removed,
            },
        )
    return reset_state(bureau=bureau, now=now)
