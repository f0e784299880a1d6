"""A new voter identifier by SMS, the 2018 style's "Demander un nouvel identifiant
électeur" (seeds 001 and 002 §3; ADR 0610): the home of its rules.

- When: from date B until the close (`calendar.Feature.REPLACEMENT`).
- Who: the voter, logged in, who types the NUMEN and birth date of their profile (and the
  CAPTCHA, checked by the form); at most `URNE_REPLACEMENT_REQUESTS` (3) times; after that
  the helpdesk may send the reserve (`URNE_REPLACEMENT_RESERVE`, 1), never seeing the code.
- Where to: the phone number typed, normalised to E.164 (`phone_normalise`); one number
  serves one voter only (`authority.phones`, a keyed hash under the authority's key).
- What: the voter's active code revoked and the next spare activated at once
  (`authority.services.credentials_replace`: scrutins already voted stay closed by their
  émargement), the new code by SMS only, composed at send time (`compose_sms`), and a
  confirmation e-mail to the professional address (`compose_confirmation`, no code in it).
- Traces: every request and its outcome is a `ReplacementRequest` row and an audit event,
  without the number, the NUMEN or birth date typed, or the code.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from urne.audit.services import audit_append
from urne.authority import phones
from urne.authority.models import CodeSlot
from urne.authority.selectors import credential_set
from urne.authority.services import STORE, code_derive, credentials_replace
from urne.elections.calendar import Feature, window
from urne.elections.models import Voter
from urne.messaging.channels import Email
from urne.messaging.models import OutboxMessage, SmsMessage
from urne.messaging.phones import PhoneRefused, mobile_e164
from urne.messaging.registry import email_render, message_voter
from urne.messaging.services import message_enqueue, sms_enqueue

from .models import ReplacementRequest

SMS_KIND = "replacement.code"
TEMPLATE_CONFIRMATION = "replacement_confirmation"
Origin = ReplacementRequest.Origin
Outcome = ReplacementRequest.Outcome
# Numbers an SMS can reach (a fixed line cannot; some plans do not say which it is).


class ReplacementRefused(Exception):
    """A request refused, with its outcome and the message the page shows."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


class StaleCode(RuntimeError):
    """The SMS's code was replaced again before the gateway took it: it is not sent."""


def phone_normalise(text: str) -> str:
    """A typed phone number in E.164 (``messaging.phones.mobile_e164``), or the page's
    message: DROM-COM and abroad are typed with their international prefix (seed 001)."""
    try:
        return mobile_e164(text)
    except PhoneRefused as refused:
        if refused.code == "not_mobile":
            message = _(
                "Ce numéro n'est pas celui d'un téléphone portable : le nouvel identifiant "
                "ne peut être envoyé que par SMS."
            )
        else:
            message = _(
                "Ce numéro de téléphone portable n'est pas valide. Pour les DROM-COM et "
                "l'étranger, saisissez-le avec l'indicatif international (par exemple "
                "+590 690 12 34 56)."
            )
        raise ValidationError(message, code="phone") from None


def requests_allowed() -> int:
    return int(settings.URNE_REPLACEMENT_REQUESTS)


def _sent(voter: Voter, origin: str) -> int:
    return ReplacementRequest.objects.filter(
        voter=voter, origin=origin, outcome=Outcome.SENT
    ).count()


def requests_left(*, voter: Voter) -> int:
    """How many of the voter's own requests remain (3 at first)."""
    return max(0, requests_allowed() - _sent(voter, Origin.VOTER))


def reserve_left(*, voter: Voter) -> int:
    """How many reserve codes the helpdesk may still send this voter."""
    return max(0, int(settings.URNE_REPLACEMENT_RESERVE) - _sent(voter, Origin.HELPDESK))


def replacement_open(*, voter: Voter) -> bool:
    return voter.election.style == "2018" and window(voter.election, Feature.REPLACEMENT).is_open()


def _numen(text: str) -> str:
    return "".join(text.split()).upper()


def replacement_request(
    *, voter: Voter, phone: str, numen: str, birth_date: object, language: str = "fr"
) -> ReplacementRequest:
    """The voter's own request (the CAPTCHA already checked by the page): their NUMEN and
    birth date must be their profile's, a request must be left and the number free. Raises
    `ReplacementRefused` (the refusal recorded and audited) or `PermissionDenied` outside
    the window."""
    if not replacement_open(voter=voter):
        raise PermissionDenied(_("La demande d'un nouvel identifiant n'est pas ouverte."))
    # The authority's transaction inside the voter store's, so it commits first: a dispatch
    # worker that sees the SMS row finds its code already active (ADR 0610).
    with transaction.atomic(), transaction.atomic(using=STORE):
        # The voter's row locked: two requests at once count one after the other.
        voter = Voter.objects.select_for_update().select_related("election").get(pk=voter.pk)
        refusal: ReplacementRefused | None = None
        if requests_left(voter=voter) <= 0:
            refusal = ReplacementRefused(
                Outcome.USED_UP,
                _(
                    "Vous avez déjà demandé %(n)d fois un nouvel identifiant électeur : cette "
                    "demande ne peut plus être faite ici. Contactez l'assistance, qui peut vous "
                    "envoyer un nouvel identifiant par SMS."
                )
                % {"n": requests_allowed()},
            )
        elif not constant_time_compare(_numen(numen), _numen(voter.numen)):
            refusal = ReplacementRefused(
                Outcome.WRONG_NUMEN,
                _("Le NUMEN saisi ne correspond pas à celui de votre profil électeur."),
            )
        elif birth_date != voter.birth_date:
            refusal = ReplacementRefused(
                Outcome.WRONG_BIRTH_DATE,
                _(
                    "La date de naissance saisie ne correspond pas à celle de votre profil "
                    "électeur."
                ),
            )
        if refusal is not None:
            _refusal_record(voter, Origin.VOTER, refusal.outcome, actor=None)
        else:
            outcome = _send(
                voter=voter, phone=phone, origin=Origin.VOTER, actor=None, language=language
            )
            if isinstance(outcome, ReplacementRequest):
                return outcome
            refusal = outcome
    raise refusal


def replacement_reserve_send(
    *, actor: object, voter: Voter, phone: str, language: str = "fr"
) -> ReplacementRequest:
    """The helpdesk sends the voter a reserve code by SMS (the same channel; the helpdesk
    types the number the voter gives and never sees the code). Audited."""
    if not replacement_open(voter=voter):
        raise PermissionDenied(_("La demande d'un nouvel identifiant n'est pas ouverte."))
    with transaction.atomic(), transaction.atomic(using=STORE):
        voter = Voter.objects.select_for_update().select_related("election").get(pk=voter.pk)
        if reserve_left(voter=voter) > 0:
            outcome = _send(
                voter=voter, phone=phone, origin=Origin.HELPDESK, actor=actor, language=language
            )
            if isinstance(outcome, ReplacementRequest):
                return outcome
            refusal = outcome
        else:
            refusal = ReplacementRefused(
                Outcome.NO_SPARE, _("La réserve de cet électeur a déjà été envoyée.")
            )
            _refusal_record(voter, Origin.HELPDESK, refusal.outcome, actor=actor)
    raise refusal


def _actor(voter: Voter, actor: object) -> object:
    return actor if actor is not None else f"voter:{voter.pk}"


def _refusal_record(voter: Voter, origin: str, outcome: str, *, actor: object) -> None:
    request = ReplacementRequest.objects.create(voter=voter, origin=origin, outcome=outcome)
    audit_append(
        actor=_actor(voter, actor),
        action="portal.replacement_refused",
        obj=voter,
        data={"request": request.pk, "origin": origin, "outcome": outcome},
    )


class _Refused(Exception):
    def __init__(self, refusal: ReplacementRefused) -> None:
        self.refusal = refusal


def _send(
    *, voter: Voter, phone: str, origin: str, actor: object, language: str
) -> "ReplacementRequest | ReplacementRefused":
    """Claim the number, replace the code, queue the SMS and the e-mail, record: in the
    caller's transaction on both stores. A refusal (returned) is recorded after this step's
    savepoint is rolled back, so nothing of the attempt but its trace remains."""
    try:
        with transaction.atomic(), transaction.atomic(using=STORE):
            if not phones.phone_claim(
                election_id=voter.election_id, voter_id=voter.pk, phone=phone
            ):
                raise _Refused(
                    ReplacementRefused(
                        Outcome.PHONE_TAKEN,
                        _(
                            "Ce numéro de téléphone a déjà servi à un autre électeur : le même "
                            "numéro ne peut servir qu'à un seul électeur. Saisissez un autre "
                            "numéro."
                        ),
                    )
                )
            try:
                slot = credentials_replace(
                    voter=voter,
                    actor=_actor(voter, actor),
                    reason="SMS: "
                    + ("voter request" if origin == Origin.VOTER else "helpdesk reserve"),
                )
            except ValidationError:
                raise _Refused(
                    ReplacementRefused(
                        Outcome.NO_SPARE,
                        _(
                            "Aucun nouvel identifiant ne peut plus être envoyé : contactez "
                            "l'assistance."
                        ),
                    )
                ) from None
            sms = sms_enqueue(
                voter=voter,
                kind=SMS_KIND,
                phone=phone,
                metadata={"election_id": voter.election_id, "index": slot.index},
                language=language,
            )
            message_enqueue(template=TEMPLATE_CONFIRMATION, voter=voter, language=language)
            request = ReplacementRequest.objects.create(
                voter=voter, origin=origin, outcome=Outcome.SENT, slot_index=slot.index, sms=sms
            )
            audit_append(
                actor=_actor(voter, actor),
                action="portal.replacement_sent",
                obj=voter,
                data={"request": request.pk, "origin": origin, "index": slot.index, "sms": sms.pk},
            )
            return request
    except _Refused as refused:
        _refusal_record(voter, origin, refused.refusal.outcome, actor=actor)
        return refused.refusal


@dataclass(frozen=True)
class RequestView:
    """What the helpdesk sees of a request: when, by whom, its outcome, its SMS's state."""

    created_at: object
    origin: str
    outcome: str
    sms_state: str
    receipt_state: str


def replacement_history(*, voter: Voter) -> list[RequestView]:
    """A voter's requests, latest first, with their SMS's states (never a code or number)."""
    rows = ReplacementRequest.objects.filter(voter=voter).select_related("sms")[:20]
    return [
        RequestView(
            created_at=r.created_at,
            origin=r.get_origin_display(),
            outcome=r.get_outcome_display(),
            sms_state=r.sms.get_state_display() if r.sms else "",
            receipt_state=r.sms.receipt_state if r.sms else "",
        )
        for r in rows
    ]


def compose_sms(message: SmsMessage) -> str:
    """The SMS of seed 001 ("Votre nouvel identifiant de vote : … Votre ancien identifiant a
    été invalidé."), the code derived now from the row's election and index; one SMS part.
    A code replaced again meanwhile is not sent (`StaleCode`: the row fails)."""
    election_id = int(str(message.metadata["election_id"]))
    index = int(str(message.metadata["index"]))
    active = CodeSlot.objects.filter(
        voter_id=message.voter_id, index=index, status=CodeSlot.Status.ACTIVE
    ).exists()
    cset = credential_set(election_id=election_id)
    if not active or cset is None:
        raise StaleCode
    code = code_derive(credential_set=cset, voter_id=message.voter_id, index=index)
    with translation.override(message.language):
        return _(
            "Bonjour,\nVotre nouvel identifiant de vote : %(code)s\n"
            "Votre ancien identifiant a été invalidé.\n%(signature)s"
        ) % {"code": code, "signature": settings.URNE_SMS_SIGNATURE}


def compose_confirmation(message: OutboxMessage) -> Email:
    """The confirmation e-mail to the professional address (seed 001: "un mail
    d'information sur sa boite professionnelle"): no code, no number."""
    voter = message_voter(message)
    return email_render(
        base="portal/email/replacement",
        to=voter.email,
        language=message.language,
        from_name=voter.election.name,
        context={
            "voter": voter,
            "assistance": settings.URNE_PUBLIC_URL.rstrip("/") + reverse("portal:assistance"),
        },
    )
