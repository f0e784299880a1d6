"""Writes on election data. Every function is atomic, takes the staff member who acts
(`actor`) and appends an audit event in the same transaction (docs/architecture.md, "How the
code is written")."""

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.audit.services import audit_append

from .calendar import calendar_change_refusal, complaints_closed
from .defaults import BODIES_2018, RULES_2018
from .eligibility import roll_by_rules, roll_computed, rolls_published
from .geography import ACADEMIES
from .models import (
    Body,
    Complaint,
    Election,
    Level,
    RollAdjustment,
    RollEntry,
    Scrutin,
    Style,
    Voter,
    VoterCategory,
)
from .nir import nir_key_ready

CALENDAR_FIELDS = ("rolls_from", "lists_from", "complaints_until", "vote_opens", "vote_closes")


#: The voting window the law allows (CGFP R211-503 ff.: at least a day, at most eight).
VOTE_WINDOW_MIN = timedelta(hours=24)
VOTE_WINDOW_MAX = timedelta(days=8)


def calendar_validate(dates: dict[str, datetime | None]) -> None:
    """The calendar's dates, when set, must come in order: A ≤ B ≤ C ≤ D < E; and the vote
    lasts between 24 hours and 8 days."""
    present = [(f, dates[f]) for f in CALENDAR_FIELDS if dates.get(f) is not None]
    for (_f1, d1), (f2, d2) in itertools.pairwise(present):
        if d1 > d2 or (f2 == "vote_closes" and d1 == d2):  # type: ignore[operator]
            raise ValidationError(_("Les dates du calendrier ne sont pas dans l'ordre."))
    opens, closes = dates.get("vote_opens"), dates.get("vote_closes")
    if opens is not None and closes is not None:
        if closes - opens < VOTE_WINDOW_MIN:
            raise ValidationError(_("Le vote doit durer au moins 24 heures."))
        if closes - opens > VOTE_WINDOW_MAX:
            raise ValidationError(_("Le vote ne peut pas durer plus de 8 jours."))


def _changes(election: Election, new: dict[str, Any]) -> dict[str, list[Any]]:
    """What an update changes, field by field: [old, new] (dates in ISO form), for the audit."""

    def shown(value: Any) -> Any:
        return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value

    return {
        field: [shown(getattr(election, field)), shown(value)]
        for field, value in new.items()
        if getattr(election, field) != value
    }


def accounts_opened(election: Election) -> bool:
    """Has any voter account of the election been opened (a campaign sent, or an account
    created)? From then on the style is fixed: the voters were told how to vote."""
    from django.apps import apps

    return bool(
        apps.get_model("accounts", "VoterAccount").objects.filter(election=election).exists()
    )


@transaction.atomic
def election_update(
    *,
    actor: Any,
    election: Election,
    name: str,
    style: str,
    reassort_nir: bool | None = None,
    **dates: datetime | None,
) -> dict[str, list[Any]]:
    """The election's name, style, calendar and NIR option (None: unchanged) from the
    manager's page, with the legal checks; audited with what changed (old → new). Returns the
    changes."""
    if not name.strip():
        raise ValidationError(_("Le nom de l'élection est obligatoire."))
    if style not in Style.values:
        raise ValidationError(_("Style inconnu."))
    calendar_validate(dates)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if style != election.style and accounts_opened(election):
        raise ValidationError(
            _("Le style ne peut plus changer : des comptes électeurs sont déjà ouverts.")
        )
    new: dict[str, Any] = {
        "name": name.strip(),
        "style": style,
        **{f: dates.get(f) for f in CALENDAR_FIELDS},
    }
    if reassort_nir is not None:
        new["reassort_nir"] = reassort_nir
        if reassort_nir and not election.reassort_nir and not nir_key_ready():
            raise ValidationError(
                _(
                    "Le réassort par le numéro de sécurité sociale demande la clé URNE_NIR_KEY "
                    "dans la configuration du serveur (ADR 0652)."
                )
            )
    changes = _changes(election, new)
    if not changes:
        return {}
    if set(changes) & set(CALENDAR_FIELDS) and calendar_change_refusal(election) == "sealed":
        raise ValidationError(_("Le calendrier est figé depuis le scellement de l'élection."))
    for field, value in new.items():
        setattr(election, field, value)
    election.save(update_fields=list(new))
    audit_append(actor=actor, action="election.update", obj=election, data={"changes": changes})
    return changes


@transaction.atomic
def election_create(
    *,
    actor: Any,
    name: str,
    style: str = "2018",
    with_defaults: bool = True,
    **calendar: datetime | None,
) -> Election:
    calendar_validate(calendar)
    election = Election.objects.create(name=name, style=style, **calendar)
    audit_append(
        actor=actor, action="election.create", obj=election, data={"name": name, "style": style}
    )
    if with_defaults:
        rules_install_defaults(actor=actor, election=election)
    return election


@transaction.atomic
def election_calendar_set(*, actor: Any, election: Election, **dates: datetime | None) -> None:
    if calendar_change_refusal(election) == "sealed":
        raise ValidationError(_("Le calendrier est figé depuis le scellement de l'élection."))
    calendar_validate(dates)
    for field in CALENDAR_FIELDS:
        setattr(election, field, dates.get(field))
    election.save(update_fields=list(CALENDAR_FIELDS))
    audit_append(
        actor=actor,
        action="election.calendar",
        obj=election,
        data={f: dates.get(f) for f in CALENDAR_FIELDS},
    )


@transaction.atomic
def body_create(
    *,
    actor: Any,
    election: Election,
    code: str,
    name: str,
    level: str,
    default_seats: int = 5,
    min_fraction: tuple[int, int] = (2, 3),
) -> Body:
    body = Body.objects.create(
        election=election,
        code=code,
        name=name,
        level=level,
        default_seats=default_seats,
        min_candidates_num=min_fraction[0],
        min_candidates_den=min_fraction[1],
    )
    audit_append(
        actor=actor,
        action="body.create",
        obj=body,
        data={"code": code, "level": level, "min_fraction": list(min_fraction)},
    )
    return body


@transaction.atomic
def rules_install_defaults(*, actor: Any, election: Election) -> None:
    """Install the bodies and the "qui vote où" table of seed 002 §4 (see defaults.py)."""
    bodies = {
        code: Body.objects.get_or_create(
            election=election,
            code=code,
            defaults={
                "name": name,
                "level": level,
                "default_seats": seats,
                "min_candidates_num": frac[0],
                "min_candidates_den": frac[1],
            },
        )[0]
        for code, name, level, seats, frac in BODIES_2018
    }
    for category, codes in RULES_2018.items():
        cat, _ = VoterCategory.objects.get_or_create(election=election, name=category)
        cat.bodies.set([bodies[c] for c in codes])
    audit_append(
        actor=actor,
        action="rules.install_defaults",
        obj=election,
        data={"bodies": list(bodies), "categories": list(RULES_2018)},
    )


def _perimeters(level: str) -> list[str]:
    if level == Level.ACADEMIE:
        return list(ACADEMIES)
    if level == Level.DEPARTEMENT:
        return [code for deps in ACADEMIES.values() for code in deps]
    return [""]


@transaction.atomic
def scrutin_create(
    *,
    actor: Any,
    body: Body,
    perimeter: str = "",
    titular_seats: int | None = None,
    substitute_seats: int | None = None,
) -> Scrutin:
    if perimeter not in _perimeters(body.level):
        raise ValidationError(
            _("Périmètre « %(p)s » inconnu pour le niveau %(l)s.")
            % {"p": perimeter, "l": body.get_level_display()}
        )
    seats = titular_seats if titular_seats is not None else body.default_seats
    scrutin = Scrutin.objects.create(
        election_id=body.election_id,
        body=body,
        level=body.level,
        perimeter=perimeter,
        titular_seats=seats,
        substitute_seats=substitute_seats if substitute_seats is not None else seats,
    )
    audit_append(
        actor=actor,
        action="scrutin.create",
        obj=scrutin,
        data={
            "body": body.code,
            "perimeter": perimeter,
            "uuid": scrutin.uuid,
            "seats": [scrutin.titular_seats, scrutin.substitute_seats],
        },
    )
    return scrutin


@transaction.atomic
def scrutins_create_all(*, actor: Any, election: Election) -> int:
    """One scrutin per body and perimeter (every académie, every département), if missing."""
    created = 0
    for body in Body.objects.filter(election=election):
        existing = set(body.scrutins.values_list("perimeter", flat=True))
        for perimeter in _perimeters(body.level):
            if perimeter not in existing:
                scrutin_create(actor=actor, body=body, perimeter=perimeter)
                created += 1
    return created


@transaction.atomic
def rules_set(*, actor: Any, election: Election, rules: dict[int, set[int]]) -> None:
    """Replace the bodies of each category named in `rules` (category id -> body ids)."""
    if rolls_published(election):
        raise ValidationError(_("Les listes électorales sont publiées : les règles sont figées."))
    categories = {c.pk: c for c in VoterCategory.objects.filter(election=election)}
    bodies = {b.pk: b for b in Body.objects.filter(election=election)}
    changes: dict[str, list[str]] = {}
    for cat_id, body_ids in rules.items():
        if cat_id not in categories or not set(body_ids) <= set(bodies):
            raise ValidationError(_("Catégorie ou instance inconnue pour cette élection."))
        cat = categories[cat_id]
        before = set(cat.bodies.values_list("pk", flat=True))
        if before != set(body_ids):
            cat.bodies.set(body_ids)
            changes[cat.name] = sorted(bodies[b].code for b in body_ids)
    if changes:
        audit_append(actor=actor, action="rules.set", obj=election, data={"changes": changes})


@transaction.atomic
def category_create(
    *, actor: Any, election: Election, name: str, bodies: Iterable[Body] = ()
) -> VoterCategory:
    cat = VoterCategory.objects.create(election=election, name=name)
    cat.bodies.set(list(bodies))
    audit_append(
        actor=actor,
        action="category.create",
        obj=cat,
        data={"name": name, "bodies": [b.code for b in cat.bodies.all()]},
    )
    return cat


@transaction.atomic
def roll_adjust(
    *, actor: Any, scrutin: Scrutin, voter: Voter, kind: str, reason: str
) -> RollAdjustment:
    """Add a voter the rules leave out, or remove one the rules put in; a reason is required.
    The adjustment changes the computed roll; once the rolls are published it takes effect
    at their next publication (`rolls_publish`, audited): until then every part reads the
    published roll (ADR 0104)."""
    if not reason.strip():
        raise ValidationError(_("Un motif est obligatoire."))
    if voter.election_id != scrutin.election_id:
        raise ValidationError(_("Cet électeur n'appartient pas à cette élection."))
    in_rules = roll_by_rules(scrutin).filter(pk=voter.pk).exists()
    if kind == RollAdjustment.Kind.ADD and in_rules:
        raise ValidationError(_("Cet électeur est déjà inscrit par les règles."))
    if kind == RollAdjustment.Kind.REMOVE and not in_rules:
        raise ValidationError(_("Cet électeur n'est pas inscrit par les règles."))
    adj, _created = RollAdjustment.objects.update_or_create(
        scrutin=scrutin,
        voter=voter,
        defaults={"kind": kind, "reason": reason.strip(), "created_by": actor},
    )
    audit_append(
        actor=actor,
        action=f"roll.{kind}",
        obj=scrutin,
        data={
            "voter": voter.numen,
            "reason": reason.strip(),
            "after_publication": rolls_published(scrutin.election),
        },
    )
    return adj


@transaction.atomic
def roll_adjustment_cancel(*, actor: Any, adjustment: RollAdjustment) -> None:
    scrutin, numen, kind = adjustment.scrutin, adjustment.voter.numen, adjustment.kind
    adjustment.delete()
    audit_append(
        actor=actor,
        action="roll.cancel_adjustment",
        obj=scrutin,
        data={"voter": numen, "kind": kind},
    )


@transaction.atomic
def rolls_publish(*, actor: Any, election: Election) -> dict[str, int]:
    """Freeze every scrutin's roll (rules + adjustments) into roll entries. Publishing again
    (after complaints) replaces the entries; the audit log keeps each publication's counts."""
    counts: dict[str, int] = {}
    for scrutin in Scrutin.objects.filter(election=election).select_related("body"):
        RollEntry.objects.filter(scrutin=scrutin).delete()
        ids = roll_computed(scrutin).values_list("pk", flat=True).iterator(chunk_size=5000)
        batch: list[RollEntry] = []
        n = 0
        for voter_id in ids:
            batch.append(RollEntry(scrutin=scrutin, voter_id=voter_id))
            if len(batch) >= 5000:
                RollEntry.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        RollEntry.objects.bulk_create(batch)
        counts[str(scrutin)] = n + len(batch)
    election.rolls_published_at = timezone.now()
    election.save(update_fields=["rolls_published_at"])
    audit_append(actor=actor, action="rolls.publish", obj=election, data={"counts": counts})
    return counts


@transaction.atomic
def complaint_file(
    *,
    election: Election,
    voter: Voter | None,
    scrutin: Scrutin | None,
    subject: str,
    text: str,
    actor: Any = None,
    now: datetime | None = None,
) -> Complaint:
    """Record a complaint (filed by a voter later, or by staff on a voter's behalf now)."""
    if complaints_closed(election, now):
        raise ValidationError(_("La période de réclamation est close."))
    if not subject.strip() or not text.strip():
        raise ValidationError(_("L'objet et le texte de la réclamation sont obligatoires."))
    complaint = Complaint.objects.create(
        election=election,
        voter=voter,
        scrutin=scrutin,
        subject=subject.strip(),
        text=text.strip(),
    )
    audit_append(
        actor=actor,
        action="complaint.file",
        obj=complaint,
        data={"voter": voter.numen if voter else None},
    )
    return complaint


@transaction.atomic
def complaint_decide(*, actor: Any, complaint: Complaint, status: str, response: str) -> None:
    if status not in (Complaint.Status.ACCEPTED, Complaint.Status.REJECTED):
        raise ValidationError(_("Décision inconnue."))
    if not response.strip():
        raise ValidationError(_("Une réponse motivée est obligatoire."))
    complaint.status, complaint.response = status, response.strip()
    complaint.decided_at, complaint.decided_by = timezone.now(), actor
    complaint.save(update_fields=["status", "response", "decided_at", "decided_by"])
    audit_append(actor=actor, action="complaint.decide", obj=complaint, data={"status": status})
