"""The bureau's journal of interventions (ADR 0702): every staff and system action touching
its election, read from the audit log (the one record of them, hash-chained: ADR 0101), newest
first, with a French or English label for each kind of event.

An event touches the election when it names it: ``data["election"]`` is its id (every event
the bureau, the seal and the control of the vote write carries it), or its object is the
election, one of its scrutins, voters or the bureau's own rows, or ``data["scrutin"]`` is one
of its scrutins' uuids (the urn's and the count's events). A new kind of event that follows
the first rule needs no line here to be listed; a line in ``KINDS`` gives it its label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from urne.audit.models import AuditEvent
from urne.elections.models import Election, Scrutin, Voter

from .models import Bureau, Invitation, KeyLoss, Member

#: The label of each kind of event the bureau is told of; others show their code.
KINDS: dict[str, Any] = {
    # the bureau itself
    "bureau.member_add": _("Membre du bureau désigné"),
    "bureau.member_invite": _("Invitation envoyée à un membre"),
    "bureau.member_joined": _("Accès créé par le membre"),
    "bureau.member_access_reset": _("Accès d'un membre réinitialisé"),
    "bureau.scrutins_set": _("Scrutins couverts par le bureau modifiés"),
    "bureau.key_loss": _("Perte de clé constatée par le bureau"),
    # the seal and the control of the vote (issue "polling station, part 2")
    "seal.make": _("Scellement"),
    "seal.confirm": _("Scellement confirmé par un membre"),
    "seal.check": _("Vérification du scellement"),
    "seal.mismatch": _("Scellement rompu"),
    "vote.suspend": _("Vote suspendu"),
    "vote.resume": _("Vote repris"),
    "vote.close": _("Vote clos"),
    "vote.freeze": _("Urnes et émargements figés"),
    "system.restart": _("Redémarrage du service"),
    "booth.emargement_recover": _("Émargements d'un vote interrompu régularisés"),
    # voters' credentials and accounts (helpdesk, managers)
    "authority.code_replaced": _("Code de vote remplacé (réassort)"),
    "authority.credentials_generated": _("Codes de vote générés"),
    "authority.scrutin_setup": _("Paramètres d'un scrutin installés dans l'urne"),
    "authority.notices_downloaded": _("Notices des codes téléchargées"),
    "authority.notices_printed": _("Notices des codes imprimées"),
    "accounts.opening_resend": _("Lien d'ouverture de compte renvoyé à un électeur"),
    "accounts.failures_clear": _("Échecs d'un compte électeur remis à zéro"),
    # the urn and the count
    "urn.archive_download": _("Archive d'une urne téléchargée"),
    "count.open": _("Dépouillement ouvert"),
    "count.open_refused": _("Ouverture du dépouillement refusée"),
    "count.decryptions_upload": _("Déchiffrements partiels déposés"),
    "count.mismatch": _("Écart entre votes et émargements"),
    "count.results": _("Résultats calculés"),
    "count.proclaim": _("Résultat proclamé"),
    # the configuration
    "election.create": _("Élection créée"),
    "election.calendar": _("Calendrier modifié"),
    "rules.set": _("Règles modifiées"),
    "rolls.publish": _("Listes électorales publiées"),
    "messaging.campaign_start": _("Campagne d'envoi lancée"),
    "messaging.campaign_pause": _("Campagne d'envoi suspendue"),
    "messaging.campaign_resume": _("Campagne d'envoi reprise"),
    "admin.add": _("Enregistrement ajouté dans l'administration"),
    "admin.change": _("Enregistrement modifié dans l'administration"),
    "admin.delete": _("Enregistrement supprimé dans l'administration"),
}

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
}


def kind_label(action: str) -> str:
    label = KINDS.get(action)
    return str(label) if label is not None else action


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
            object_id__in=as_text(Member.objects.filter(bureau__in=bureau)),
        )
        | Q(
            object_type=_label(Invitation),
            object_id__in=as_text(Invitation.objects.filter(member__bureau__in=bureau)),
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
