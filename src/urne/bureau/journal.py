"""The bureau's journal of interventions (ADR 0702): every staff and system action touching
its election, read from the audit log (the one record of them, hash-chained: ADR 0101), newest
first, with a French or English label for each kind of event.

An event touches the election when it names it: ``data["election"]`` is its id (every event
the bureau, the seal and the control of the vote write carries it), or its object is the
election, one of its scrutins, voters or the bureau's own rows (its members, removed ones
too, invitations, key losses, ceremonies: every step of the key ceremony is listed), or
``data["scrutin"]`` is one of its scrutins' uuids (the urn's and the count's events). A new
kind of event that follows the first rule needs no line here to be listed; its label is
``backoffice.labels``' (one mapping of every audit action)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from urne.audit.models import AuditEvent
from urne.backoffice.labels import AUDIT_ACTIONS, label
from urne.elections.models import Election, Scrutin, Voter

from .models import Bureau, Ceremony, Invitation, KeyLoss, Member

#: What the journal shows of an event's data (never more: the data may name a voter).
SHOWN: dict[str, Any] = {
    "voted": _("régularisés comme votés"),
    "dropped": _("écartés (rien dans l'urne)"),
    "name": _("membre"),
    "role": _("rôle"),
    "union": _("organisation syndicale"),
    "scrutin": _("scrutin"),
    "phase": _("moment"),
    "revoked": _("codes révoqués"),
    "activated": _("code activé"),
    "status": _("état"),
    "reason": _("motif"),
    "email": _("courriel"),
    "previous": _("ancien courriel"),
}


def kind_label(action: str) -> str:
    """An event kind by its name: the one mapping of audit actions (``backoffice.labels``)."""
    return label(AUDIT_ACTIONS, action)


def _label(model: type[Any]) -> str:
    return str(model._meta.label)


def journal_events(*, election: Election) -> QuerySet[AuditEvent]:
    """The audit events touching ``election``, newest first (see the module's rule)."""
    ids = [str(election.pk)]
    scrutins = Scrutin.objects.filter(election=election)
    bureau = Bureau.objects.filter(election=election)

    def as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.annotate(pk_text=Cast("pk", CharField())).values("pk_text")

    touching = (
        Q(data__election=election.pk)
        | Q(object_type=_label(Election), object_id__in=ids)
        | Q(object_type=_label(Scrutin), object_id__in=as_text(scrutins))
        | Q(
            object_type=_label(Voter),
            object_id__in=as_text(Voter.objects.filter(election=election)),
        )
        | Q(object_type=_label(Bureau), object_id__in=as_text(bureau))
        | Q(
            object_type=_label(Member),
            object_id__in=as_text(Member.everyone.filter(bureau__in=bureau)),
        )
        | Q(
            object_type=_label(Invitation),
            object_id__in=as_text(Invitation.objects.filter(member__bureau__in=bureau)),
        )
        | Q(
            object_type=_label(Ceremony),
            object_id__in=as_text(Ceremony.objects.filter(bureau__in=bureau)),
        )
        | Q(
            object_type=_label(KeyLoss),
            object_id__in=as_text(KeyLoss.objects.filter(bureau__in=bureau)),
        )
        | Q(data__scrutin__in=list(scrutins.values_list("uuid", flat=True)))
    )
    return AuditEvent.objects.filter(touching).order_by("-seq")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the journal."""

    seq: int
    at: Any
    actor: str
    kind: str
    label: str
    details: list[tuple[str, str]]


def journal_entry(event: AuditEvent) -> Entry:
    data = event.data if isinstance(event.data, dict) else {}
    details = [
        (str(label), _text(data[key]))
        for key, label in SHOWN.items()
        if key in data and data[key] not in ("", None, [])
    ]
    return Entry(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        kind=event.action,
        label=kind_label(event.action),
        details=details,
    )


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
