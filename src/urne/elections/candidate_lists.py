"""Candidate lists: registration, profession de foi upload, and the checks a list must pass
(number of candidates within the body's bounds, gender balance, split key of a joint list)."""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from urne.audit.services import audit_append

from .eligibility import roll_voters
from .models import Candidate, CandidateList, Civility, Gender, ListUnion, Scrutin, Union


@dataclass(frozen=True)
class CandidateInput:
    last_name: str
    first_name: str
    gender: str


@transaction.atomic
def candidate_list_register(
    *,
    actor: Any,
    scrutin: Scrutin,
    label: str,
    unions: list[tuple[Union, Decimal | None]],
    candidates: list[CandidateInput],
) -> CandidateList:
    """Register a list: one union, or a joint list with optional shares (percent)."""
    if not unions:
        raise ValidationError(_("Une liste est déposée par au moins une organisation syndicale."))
    if any(u.election_id != scrutin.election_id for u, _s in unions):
        raise ValidationError(_("Organisation syndicale d'une autre élection."))
    if any(c.gender not in Gender.values for c in candidates):
        raise ValidationError(_("Genre de candidat invalide."))
    lst = CandidateList.objects.create(scrutin=scrutin, label=label.strip())
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
    audit_append(
        actor=actor,
        action="list.register",
        obj=lst,
        data={
            "scrutin": scrutin.uuid,
            "label": lst.label,
            "candidates": len(candidates),
            "unions": {u.acronym: (str(s) if s is not None else None) for u, s in unions},
        },
    )
    return lst


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
    links = list(ListUnion.objects.filter(candidate_list=candidate_list))
    declared = [link.share for link in links if link.share is not None]
    if declared and len(declared) != len(links):
        problems.append(
            _("Clé de répartition : déclarer la part de chaque organisation ou d'aucune.")
        )
    elif declared and (sum(declared) != 100 or any(s <= 0 for s in declared)):
        problems.append(
            _("Clé de répartition : les parts doivent être positives et totaliser 100 %.")
        )
    if not candidate_list.profession_de_foi:
        problems.append(_("Profession de foi manquante."))
    return problems
