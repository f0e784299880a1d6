"""The polling station's control of the vote (ADR 0770): suspend, resume, extend the close
after a suspension, close earlier than the calendar, and freeze the urns, the émargements and
the counters once no ballot can come in.

Each decision is the bureau's, recorded by its president with the members present and a
reason (`ControlDecision`, audited). What a decision changes is one of the election's
columns that `elections.calendar` reads (`vote_refusal`, `cast_refusal`, `vote_over`), so
the booth, the cast, the board and the count follow it with no query of their own.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urne.audit.services import audit_append
from urne.booth.models import Emargement
from urne.booth.services import emargement_recover
from urne.elections.calendar import extension_refusal, vote_end, vote_over, vote_refusal
from urne.elections.models import Election
from urne.urn.services import urn_freeze

from .models import Bureau, ControlDecision, Freeze, Member, ParticipationCount
from .participation import participation_compact

MESSAGES = {
    "not_president": _("Seul le président du bureau enregistre les décisions du bureau."),
    "no_members": _("Cochez les membres du bureau présents."),
    "no_reason": _("Indiquez le motif de la décision."),
    "not_running": _("Le vote n'est pas en cours : il ne peut pas être suspendu."),
    "already_suspended": _("Le vote est déjà suspendu."),
    "not_suspended": _("Le vote n'est pas suspendu."),
    "not_closable": _("Le vote n'est pas en cours : il ne peut pas être clos."),
    "never_suspended": _("Une prolongation ne se décide qu'après une suspension du vote."),
    "extension_too_early": _(
        "La nouvelle clôture doit être postérieure à la clôture en vigueur et à maintenant."
    ),
    "extension_too_late": _(
        "La nouvelle clôture ne peut pas dépasser de plus de 8 jours la clôture du calendrier."
    ),
    "closed_by_bureau": _("Le bureau a clos le vote : sa clôture ne se prolonge plus."),
    "frozen": _("Les urnes et les émargements sont figés : plus rien ne change."),
    "vote_not_over": _(
        "Le vote n'est pas terminé (clôture et délai de grâce des électeurs déjà dans "
        "l'isoloir) : le gel attendra."
    ),
    "casts_in_progress": _(
        "Des votes sont encore en cours d'enregistrement : recommencez dans un instant."
    ),
}


class ControlError(Exception):
    """A decision refused; nothing was recorded. ``code`` is stable, ``message`` in French."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, self.code))


def seal_after_freeze(election: Election) -> None:
    """The seal made again over the frozen urns, émargements and counters
    (``urne.bureau.seal.seal_freeze``: the seal checked at the closing, then the freeze's
    own seal): called by `vote_freeze` after its commit."""
    from .seal import seal_freeze

    seal_freeze(election=election)


def _president(actor: Any, election: Election) -> Member:
    member = (
        Member.objects.select_related("bureau")
        .filter(user_id=getattr(actor, "pk", None) or 0, bureau__election=election)
        .first()
    )
    if member is None or member.role != Member.Role.PRESIDENT:
        raise ControlError("not_president")
    return member


def _locked(election: Election) -> Election:
    return Election.objects.select_for_update().get(pk=election.pk)


def _record(
    *,
    election: Election,
    actor: Any,
    kind: str,
    members: Iterable[int],
    reason: str,
    now: datetime,
    closes_at: datetime | None = None,
) -> ControlDecision:
    president = _president(actor, election)
    reason = reason.strip()
    if not reason:
        raise ControlError("no_reason")
    present = list(
        Member.objects.filter(bureau=president.bureau, pk__in=list(members)).order_by("pk")
    )
    if not present:
        raise ControlError("no_members")
    decision = ControlDecision.objects.create(
        election=election,
        kind=kind,
        decided_at=now,
        recorded_by=actor,
        reason=reason,
        closes_at=closes_at,
    )
    decision.members_present.set(present)
    audit_append(
        actor=actor,
        action=f"bureau.vote_{kind}",
        obj=election,
        data={
            "decision": decision.pk,
            "members_present": [f"{m.get_role_display()} {m.name}" for m in present],
            "reason": reason,
            "closes_at": closes_at.isoformat() if closes_at else None,
        },
    )
    return decision


def vote_suspend(
    *,
    election: Election,
    actor: Any,
    members: Iterable[int],
    reason: str,
    now: datetime | None = None,
) -> ControlDecision:
    """Suspend the vote: from now on the booth says so and every cast is refused
    (``suspended``) until `vote_resume`; nothing already recorded changes."""
    now = now or timezone.now()
    with transaction.atomic():
        e = _locked(election)
        refused = vote_refusal(election=e, now=now)
        if refused == "suspended":
            raise ControlError("already_suspended")
        if refused is not None:
            raise ControlError("frozen" if e.vote_frozen_at else "not_running")
        decision = _record(
            election=e,
            actor=actor,
            kind=ControlDecision.Kind.SUSPEND,
            members=members,
            reason=reason,
            now=now,
        )
        e.vote_suspended_at = now
        e.save(update_fields=["vote_suspended_at"])
    return decision


def vote_resume(
    *,
    election: Election,
    actor: Any,
    members: Iterable[int],
    reason: str,
    now: datetime | None = None,
) -> ControlDecision:
    """Resume a suspended vote: casts are accepted again until the close in force (which an
    extension may move, `vote_extend`)."""
    now = now or timezone.now()
    with transaction.atomic():
        e = _locked(election)
        if e.vote_frozen_at is not None:
            raise ControlError("frozen")
        if e.vote_suspended_at is None:
            raise ControlError("not_suspended")
        decision = _record(
            election=e,
            actor=actor,
            kind=ControlDecision.Kind.RESUME,
            members=members,
            reason=reason,
            now=now,
        )
        e.vote_suspended_at = None
        e.save(update_fields=["vote_suspended_at"])
    return decision


def vote_extend(
    *,
    election: Election,
    actor: Any,
    members: Iterable[int],
    reason: str,
    until: datetime,
    now: datetime | None = None,
) -> ControlDecision:
    """Move the close to ``until`` after a suspension (`calendar.extension_refusal`: later
    than the close in force, at most ``EXTENSION_DAYS`` after the calendar's)."""
    now = now or timezone.now()
    with transaction.atomic():
        e = _locked(election)
        if e.vote_closed_at is not None and e.vote_frozen_at is None:
            raise ControlError("closed_by_bureau")
        refused = extension_refusal(election=e, until=until, now=now)
        if refused:
            raise ControlError(refused)
        if not ControlDecision.objects.filter(
            election=e, kind=ControlDecision.Kind.SUSPEND
        ).exists():
            raise ControlError("never_suspended")
        decision = _record(
            election=e,
            actor=actor,
            kind=ControlDecision.Kind.EXTEND,
            members=members,
            reason=reason,
            now=now,
            closes_at=until,
        )
        e.vote_extended_to = until
        e.save(update_fields=["vote_extended_to"])
    return decision


def vote_close(
    *,
    election: Election,
    actor: Any,
    members: Iterable[int],
    reason: str,
    now: datetime | None = None,
) -> ControlDecision:
    """Close the vote now, before the close in force (a suspension ends with it): the voters
    already in the booth still have the grace period (`calendar.cast_refusal`)."""
    now = now or timezone.now()
    with transaction.atomic():
        e = _locked(election)
        refused = vote_refusal(election=e, now=now)
        if refused not in (None, "suspended"):
            raise ControlError("frozen" if e.vote_frozen_at else "not_closable")
        decision = _record(
            election=e,
            actor=actor,
            kind=ControlDecision.Kind.CLOSE,
            members=members,
            reason=reason,
            now=now,
        )
        e.vote_closed_at = now
        e.vote_suspended_at = None
        e.save(update_fields=["vote_closed_at", "vote_suspended_at"])
    return decision


@dataclass(frozen=True)
class ControlState:
    """What the control page shows: the close in force, the state, the decisions, the freeze."""

    state: str  # before, open, suspended, grace, over, frozen
    end: datetime | None
    grace_end: datetime | None
    decisions: list[ControlDecision]
    freeze: Freeze | None
    bureau: Bureau | None


def control_state(*, election: Election, now: datetime | None = None) -> ControlState:
    from urne.elections.calendar import grace_period

    now = now or timezone.now()
    end = vote_end(election)
    refused = vote_refusal(election=election, now=now)
    if election.vote_frozen_at is not None:
        state = "frozen"
    elif refused == "closed":
        state = "over" if vote_over(election=election, now=now) else "grace"
    else:
        state = {None: "open", "not_open": "before", "suspended": "suspended"}[refused]
    decisions = list(
        ControlDecision.objects.filter(election=election)
        .select_related("recorded_by")
        .prefetch_related("members_present")
    )
    return ControlState(
        state=state,
        end=end,
        grace_end=end + grace_period() if end else None,
        decisions=decisions,
        freeze=Freeze.objects.filter(election=election).first(),
        bureau=Bureau.objects.filter(election=election).first(),
    )


#: How often the freeze asks the casts still writing to finish (the urns are frozen first,
#: so they can only fail and leave their rows to be settled).
_SETTLE_TRIES = 20


def vote_freeze(*, election: Election, actor: Any = None, now: datetime | None = None) -> Freeze:
    """Freeze the election once no ballot can come in (`calendar.vote_over`): every urn
    first (`urn.services.urn_freeze`: no ballot appended after it), then every pending
    émargement settled from its urn, the counters compacted, and the freeze recorded with
    its figures per scrutin (the urn's ballots, height and last event, the émargements, the
    counters); the election's ``vote_frozen_at`` makes every later cast, recovery and code
    replacement a refusal, audited. The bureau's president, or the system (``actor`` None,
    ``manage.py vote_freeze``). Idempotent: a frozen election returns its freeze."""
    now = now or timezone.now()
    if actor is not None:
        _president(actor, election)
    existing = Freeze.objects.filter(election=election).first()
    if existing is not None:
        return existing
    if not vote_over(election=election, now=now):
        raise ControlError("vote_not_over")
    scrutins = list(election.scrutins.order_by("pk"))
    urns = {s.uuid: urn_freeze(scrutin_uuid=s.uuid, now=now) for s in scrutins}
    for _try in range(_SETTLE_TRIES):
        if not emargement_recover(older_than=timedelta(0)).busy:
            break
        time.sleep(0.1)
    if Emargement.objects.filter(scrutin__in=scrutins, state=Emargement.State.PENDING).exists():
        raise ControlError("casts_in_progress")
    participation_compact()
    with transaction.atomic():
        e = _locked(election)
        existing = Freeze.objects.filter(election=e).first()
        if existing is not None:
            return existing
        voted = dict(
            Emargement.objects.filter(scrutin__in=scrutins, state=Emargement.State.VOTED)
            .values_list("scrutin__uuid")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counted = dict(
            ParticipationCount.objects.filter(scrutin__in=scrutins)
            .values_list("scrutin__uuid")
            .annotate(n=Sum("voted"))
            .order_by()
        )
        figures = {}
        for s in scrutins:
            urn = urns[s.uuid]
            figures[s.uuid] = {
                "ballots": urn.ballots if urn else 0,
                "height": urn.height if urn else None,
                "last_event": urn.last_event if urn else "",
                "tally_sha256": urn.tally_sha256 if urn else "",
                "emargements": voted.get(s.uuid, 0),
                "counted": counted.get(s.uuid, 0),
            }
        freeze = Freeze.objects.create(election=e, frozen_at=now, frozen_by=actor, figures=figures)
        e.vote_frozen_at = now
        e.vote_suspended_at = None
        e.save(update_fields=["vote_frozen_at", "vote_suspended_at"])
        audit_append(
            actor=actor or "system",
            action="bureau.vote_freeze",
            obj=e,
            data={"frozen_at": now.isoformat(), "figures": figures},
        )
    seal_after_freeze(e)
    return freeze


def freezes_due(*, now: datetime | None = None) -> list[Freeze]:
    """Freeze every election whose vote is over and not yet frozen (``manage.py
    vote_freeze``, run by the scheduler at the end of the grace period)."""
    now = now or timezone.now()
    done = []
    for election in Election.objects.filter(
        vote_frozen_at__isnull=True, vote_suspended_at__isnull=True, vote_closes__isnull=False
    ):
        if vote_over(election=election, now=now):
            done.append(vote_freeze(election=election, now=now))
    return done
