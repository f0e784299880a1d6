"""Writes from the portal. Voter writes, each atomic; the calendar is checked here, not in
the views (STYLE: services hold the rules)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from urne.elections.calendar import Feature, window
from urne.elections.models import Complaint, Election, Scrutin, Voter
from urne.elections.services import complaint_file

from .models import AssistanceRequest
from .selectors import portal_scrutins


@transaction.atomic
def assistance_request_file(
    *,
    election: Election,
    voter: Voter | None,
    name: str,
    email: str,
    topic: str,
    message: str,
) -> AssistanceRequest:
    """Store an assistance request for the helpdesk (seed 003, "demande d'assistance")."""
    if topic not in AssistanceRequest.Topic.values:
        raise ValidationError(_("Sujet inconnu."))
    if not name.strip() or not email.strip() or not message.strip():
        raise ValidationError(_("Le nom, l'adresse et le message sont obligatoires."))
    return AssistanceRequest.objects.create(
        election=election,
        voter=voter,
        name=name.strip(),
        email=email.strip().lower(),
        topic=topic,
        message=message.strip(),
    )


def portal_complaint_file(
    *, voter: Voter, scrutin: Scrutin | None, subject: str, text: str, **kw: Any
) -> Complaint:
    """A voter's complaint about their profile (no scrutin) or one of their scrutins, from
    date A until date C (the complaint deadline)."""
    if not window(voter.election, Feature.COMPLAINTS).is_open():
        raise PermissionDenied(_("La période de réclamation n'est pas ouverte."))
    if scrutin is not None and scrutin.pk not in {s.pk for s in portal_scrutins(voter=voter)}:
        raise ValidationError(_("Ce scrutin n'est pas l'un des vôtres."))
    return complaint_file(
        election=voter.election, voter=voter, scrutin=scrutin, subject=subject, text=text
    )
