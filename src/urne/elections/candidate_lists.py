"""Candidate lists: the unions, a list's registration, change and withdrawal (until the
scrutin's urn is set up or the vote opens; audited old → new), the profession de foi upload,
and the checks a list must pass (number of candidates within the body's bounds, gender
balance, split key of a joint list)."""

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.audit.services import audit_append, field_changes

from .eligibility import roll_voters
from .models import Candidate, CandidateList, Civility, Election, Gender, ListUnion, Scrutin, Union


@dataclass(frozen=True)
class CandidateInput:
    last_name: str
    first_name: str
    gender: str


def lists_change_refusal(scrutin: Scrutin, now: datetime | None = None) -> str | None:
    """None if the scrutin's lists may still be registered, changed or withdrawn, else why
    not: ``urn`` once the scrutin's urn is set up (its ballot's answers are the lists'
    labels, in order: ``authority.setup.scrutin_election_json``), ``vote`` once the vote has
    opened (the voters see the lists and their candidates)."""
    from django.apps import apps

    setups = apps.get_model("authority", "ScrutinSetup").objects
    if setups.filter(scrutin_uuid=scrutin.uuid).exists():
        return "urn"
    opens = scrutin.election.vote_opens
    if opens is not None and (now or timezone.now()) >= opens:
        return "vote"
    return None


def _lists_change_require(scrutin: Scrutin) -> None:
    refusal = lists_change_refusal(scrutin)
    if refusal == "urn":
        raise ValidationError(
            _("L'urne de ce scrutin est initialisée : ses listes ne peuvent plus changer.")
        )
    if refusal == "vote":
        raise ValidationError(_("Le vote est ouvert : les listes ne peuvent plus changer."))


def split_key_problem(shares: list[Decimal | None]) -> str | None:
    """What is wrong with a list's split key (each union's share, percent, or None when not
    declared), or None: declared for every union or for none; positive, totalling 100 %."""
    declared = [share for share in shares if share is not None]
    if declared and len(declared) != len(shares):
        return _("Clé de répartition : déclarer la part de chaque organisation ou d'aucune.")
    if declared and (sum(declared) != 100 or any(share <= 0 for share in declared)):
        return _("Clé de répartition : les parts doivent être positives et totaliser 100 %.")
    return None


def _list_validate(
    *,
    scrutin: Scrutin,
    label: str,
    unions: list[tuple[Union, Decimal | None]],
    candidates: list[CandidateInput],
    candidate_list: CandidateList | None = None,
) -> None:
    """What a list must be to be registered (its completeness is ``candidate_list_check``'s):
    a label, one union at least, each once, of the scrutin's election and on no other list
    of the scrutin; a valid split key; candidates named, with a gender."""
    if not label.strip():
        raise ValidationError(_("L'intitulé de la liste est obligatoire."))
    if not unions:
        raise ValidationError(_("Une liste est déposée par au moins une organisation syndicale."))
    if any(u.election_id != scrutin.election_id for u, _s in unions):
        raise ValidationError(_("Organisation syndicale d'une autre élection."))
    if len({u.pk for u, _s in unions}) != len(unions):
        raise ValidationError(_("Une organisation syndicale figure deux fois sur la liste."))
    others = ListUnion.objects.filter(
        candidate_list__scrutin=scrutin, union__in=[u for u, _s in unions]
    )
    if candidate_list is not None:
        others = others.exclude(candidate_list=candidate_list)
    taken = others.select_related("union").first()
    if taken is not None:
        raise ValidationError(
            _("L'organisation %(u)s a déjà déposé une liste pour ce scrutin.")
            % {"u": taken.union.acronym}
        )
    problem = split_key_problem([share for _u, share in unions])
    if problem:
        raise ValidationError(problem)
    if any(not c.last_name.strip() or not c.first_name.strip() for c in candidates):
        raise ValidationError(_("Chaque candidat a un nom et un prénom."))
    if any(c.gender not in Gender.values for c in candidates):
        raise ValidationError(_("Genre de candidat invalide."))


def _rows_write(
    lst: CandidateList,
    unions: list[tuple[Union, Decimal | None]],
    candidates: list[CandidateInput],
) -> None:
    ListUnion.objects.bulk_create(
        ListUnion(candidate_list=lst, union=u, share=share) for u, share in unions
    )
    Candidate.objects.bulk_create(
        Candidate(
            candidate_list=lst,
            position=i,
            last_name=c.last_name.strip(),
            first_name=c.first_name.strip(),
            gender=c.gender,
        )
        for i, c in enumerate(candidates, start=1)
    )


def _shown(
    label: str, unions: list[tuple[Union, Decimal | None]], candidates: list[CandidateInput]
) -> dict[str, Any]:
    """A list as its audit shows it (old → new, ``audit.services.field_changes``)."""
    return {
        "label": label.strip(),
        "unions": {u.acronym: (f"{s:.2f}" if s is not None else None) for u, s in unions},
        "candidates": [
            f"{i}. {c.last_name.strip()} {c.first_name.strip()} ({c.gender})"
            for i, c in enumerate(candidates, start=1)
        ],
    }


def candidate_list_inputs(
    candidate_list: CandidateList,
) -> tuple[list[tuple[Union, Decimal | None]], list[CandidateInput]]:
    """A registered list's unions (with their shares) and candidates, in order."""
    links = ListUnion.objects.filter(candidate_list=candidate_list).select_related("union")
    unions = [(link.union, link.share) for link in links.order_by("pk")]
    candidates = [
        CandidateInput(c.last_name, c.first_name, c.gender)
        for c in candidate_list.candidates.order_by("position")
    ]
    return unions, candidates


@transaction.atomic
def candidate_list_register(
    *,
    actor: Any,
    scrutin: Scrutin,
    label: str,
    unions: list[tuple[Union, Decimal | None]],
    candidates: list[CandidateInput],
) -> CandidateList:
    """Register a list: one union, or a joint list with optional shares (percent); until the
    scrutin's urn is set up or the vote opens (``lists_change_refusal``)."""
    _list_validate(scrutin=scrutin, label=label, unions=unions, candidates=candidates)
    _lists_change_require(scrutin)
    lst = CandidateList.objects.create(scrutin=scrutin, label=label.strip())
    _rows_write(lst, unions, candidates)
    audit_append(
        actor=actor,
        action="list.register",
        obj=lst,
        data={
            "scrutin": scrutin.uuid,
            "label": lst.label,
            "candidates": len(candidates),
            "unions": _shown(label, unions, [])["unions"],
        },
    )
    return lst


@transaction.atomic
def candidate_list_update(
    *,
    actor: Any,
    candidate_list: CandidateList,
    label: str,
    unions: list[tuple[Union, Decimal | None]],
    candidates: list[CandidateInput],
) -> dict[str, list[Any]]:
    """Change a registered list (its label, unions and split key, candidates in order), with
    the registration's rules; audited with what changed (old → new). Returns the changes."""
    locked = CandidateList.objects.select_for_update().select_related("scrutin__election")
    lst = locked.get(pk=candidate_list.pk)
    _list_validate(
        scrutin=lst.scrutin,
        label=label,
        unions=unions,
        candidates=candidates,
        candidate_list=lst,
    )
    changes = field_changes(
        _shown(lst.label, *candidate_list_inputs(lst)), _shown(label, unions, candidates)
    )
    if not changes:
        return {}
    _lists_change_require(lst.scrutin)
    lst.label = label.strip()
    lst.save(update_fields=["label"])
    ListUnion.objects.filter(candidate_list=lst).delete()
    Candidate.objects.filter(candidate_list=lst).delete()
    _rows_write(lst, unions, candidates)
    audit_append(actor=actor, action="list.update", obj=lst, data={"changes": changes})
    return changes


@transaction.atomic
def candidate_list_withdraw(*, actor: Any, candidate_list: CandidateList) -> None:
    """Withdraw a list (its unions, candidates and profession de foi go with it), until the
    scrutin's urn is set up or the vote opens; audited with what the list was."""
    locked = CandidateList.objects.select_for_update().select_related("scrutin__election")
    lst = locked.get(pk=candidate_list.pk)
    _lists_change_require(lst.scrutin)
    before = _shown(lst.label, *candidate_list_inputs(lst))
    if lst.profession_de_foi:
        lst.profession_de_foi.delete(save=False)
    audit_append(
        actor=actor,
        action="list.withdraw",
        obj=lst,
        data={"scrutin": lst.scrutin.uuid, "changes": field_changes(before, dict.fromkeys(before))},
    )
    lst.delete()


@transaction.atomic
def union_create(*, actor: Any, election: Election, name: str, acronym: str) -> Union:
    """A union that may file lists in the election: a name and an acronym unique in it."""
    name, acronym = name.strip(), acronym.strip()
    if not name or not acronym:
        raise ValidationError(_("Le nom et le sigle sont obligatoires."))
    if Union.objects.filter(election=election, acronym__iexact=acronym).exists():
        raise ValidationError(
            _("Le sigle « %(a)s » est déjà celui d'une organisation de l'élection.")
            % {"a": acronym}
        )
    union = Union.objects.create(election=election, name=name, acronym=acronym)
    audit_append(
        actor=actor, action="union.create", obj=union, data={"name": name, "acronym": acronym}
    )
    return union


PDF_MAGIC = b"%PDF-"


def profession_de_foi_validate(upload: UploadedFile) -> None:
    """A PDF (by name, declared type and content) no larger than the configured limit."""
    limit = settings.URNE_PROFESSION_DE_FOI_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("Le fichier est vide."))
    if upload.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mo)s Mo.")
            % {"mo": limit // (1024 * 1024)}
        )
    name = (upload.name or "").lower()
    if not name.endswith(".pdf") or upload.content_type not in ("application/pdf", None):
        raise ValidationError(_("La profession de foi doit être un fichier PDF."))
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(_("Le fichier n'est pas un PDF valide."))


@transaction.atomic
def profession_de_foi_attach(
    *, actor: Any, candidate_list: CandidateList, upload: UploadedFile
) -> None:
    profession_de_foi_validate(upload)
    if candidate_list.profession_de_foi:
        candidate_list.profession_de_foi.delete(save=False)
    candidate_list.profession_de_foi.save("profession_de_foi.pdf", upload, save=True)
    audit_append(
        actor=actor, action="list.profession_de_foi", obj=candidate_list, data={"size": upload.size}
    )


def profession_de_foi_response(candidate_list: CandidateList) -> FileResponse:
    """The list's profession de foi as a PDF download, for the views that have checked who
    asks (the portal: the voter's scrutins from date B; the back office: staff who may see the
    election). The file itself has no public address (MEDIA_ROOT is never served; ADR 0553)."""
    response = FileResponse(
        candidate_list.profession_de_foi.open("rb"),
        as_attachment=True,
        filename=f"profession-de-foi-{candidate_list.scrutin.uuid}-{candidate_list.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def union_shares(candidate_list: CandidateList) -> dict[str, Decimal]:
    """Each union's share (percent) of a list's votes: as declared, or equal shares."""
    links = list(ListUnion.objects.filter(candidate_list=candidate_list).select_related("union"))
    if links and all(link.share is not None for link in links):
        return {link.union.acronym: link.share for link in links}  # type: ignore[misc]
    equal = (Decimal(100) / len(links)).quantize(Decimal("0.01")) if links else Decimal(0)
    return {link.union.acronym: equal for link in links}


def gender_targets(*, women_share: float, candidates: int) -> set[int]:
    """Allowed numbers of women: the electorate's share times the list length, rounded up or
    down at the list's choice (an exact product allows only itself)."""
    exact = women_share * candidates
    return {math.floor(exact + 1e-9), math.ceil(exact - 1e-9)}


def electorate_women_share(scrutin: Scrutin) -> float | None:
    roll = roll_voters(scrutin)
    total = roll.count()
    if total == 0:
        return None
    return roll.filter(civility=Civility.MADAME).count() / total


def candidate_list_check(
    candidate_list: CandidateList, *, women_share: float | None = None
) -> list[str]:
    """Problems that prevent the list from standing; empty when the list is valid.
    `women_share` may be passed when checking many lists of one scrutin."""
    problems: list[str] = []
    scrutin = candidate_list.scrutin
    candidates = list(candidate_list.candidates.all())
    n = len(candidates)
    low, high = scrutin.candidate_bounds()
    if not low <= n <= high:
        if low == high:
            problems.append(
                _("La liste doit compter exactement %(n)d candidats (elle en a %(got)d).")
                % {"n": high, "got": n}
            )
        else:
            problems.append(
                _("La liste doit compter de %(low)d à %(high)d candidats (elle en a %(got)d).")
                % {"low": low, "high": high, "got": n}
            )
    if [c.position for c in candidates] != list(range(1, n + 1)):
        problems.append(_("Les rangs des candidats doivent se suivre à partir de 1."))
    if women_share is None:
        women_share = electorate_women_share(scrutin)
    if women_share is None:
        problems.append(
            _("Liste électorale vide : l'équilibre femmes-hommes ne peut être vérifié.")
        )
    elif n:
        women = sum(1 for c in candidates if c.gender == Gender.WOMAN)
        allowed = sorted(gender_targets(women_share=women_share, candidates=n))
        if women not in allowed:
            problems.append(
                _(
                    "Équilibre femmes-hommes : %(women)d femmes et %(men)d hommes, il faut "
                    "%(allowed)s femmes (part des femmes dans l'électorat : %(pct).1f %%)."
                )
                % {
                    "women": women,
                    "men": n - women,
                    "allowed": _(" ou ").join(str(a) for a in allowed),
                    "pct": 100 * women_share,
                }
            )
    shares = [link.share for link in ListUnion.objects.filter(candidate_list=candidate_list)]
    key_problem = split_key_problem(shares)
    if key_problem:
        problems.append(key_problem)
    if not candidate_list.profession_de_foi:
        problems.append(_("Profession de foi manquante."))
    return problems
