"""The bureau's count page (ADR 0800): open the count, upload a holder's file of partial
decryptions, proclaim; and the public results of a proclaimed scrutin (JSON, CSV)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from urne.backoffice.permissions import BUREAU_PAGES, bureau_pages_require, staff_required
from urne.decryptions import MAX_BYTES
from urne.elections.models import Election, Scrutin
from urne.site.parsing import InputError, refusal_page, text
from urne.site.spreadsheet import csv_lines

from .errors import CountError
from .results import scrutin_result
from .selectors import browser_decryption_data, count_overview, proclaimed_result, result_rows
from .services import count_open, decryptions_upload, result_proclaim
from .views_results import result_data


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def count_page(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    bureau_pages_require(request, election)  # its own election's bureau only
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "open":
                outcome = count_open(election=election, actor=request.user)
                messages.success(
                    request,
                    _("Dépouillement ouvert pour %(n)d scrutin(s).") % {"n": len(outcome.opened)},
                )
                for error in outcome.refused.values():
                    messages.error(request, error.message)
            elif action == "upload":
                upload = request.FILES.get("file")
                if upload is None or upload.size is None or upload.size > MAX_BYTES:
                    raise CountError("unreadable")
                done = decryptions_upload(
                    election=election, actor=request.user, content=upload.read()
                )
                messages.success(
                    request,
                    _(
                        "Déchiffrements acceptés pour %(n)d scrutin(s) ; "
                        "%(r)d résultat(s) calculé(s)."
                    )
                    % {"n": len(done.accepted), "r": len(done.results)},
                )
            elif action == "proclaim":
                scrutin = get_object_or_404(
                    Scrutin,
                    election=election,
                    uuid=text(request.POST.get("scrutin"), max_length=14),
                )
                seed = text(request.POST.get("seed", ""), max_length=200).strip()
                result_proclaim(scrutin=scrutin, actor=request.user, seed=seed)
                messages.success(request, _("Résultat proclamé : %(s)s.") % {"s": scrutin})
            else:
                raise InputError("not_text")
        except InputError as exc:
            return refusal_page(request, exc)
        except CountError as exc:
            messages.error(request, exc.message)
            return _page(request, election, status=400)
        return redirect("count:page", election.pk)
    return _page(request, election)


def _browser_texts() -> dict[str, str]:
    """The holder section's sentences (frontend/src/count/page.js), translated here; the
    page fills in %(name)s (a scrutin), %(n)s, %(total)s and %(detail)s."""
    return {
        "reading_key": _("Lecture du fichier de clé…"),
        "checking": _(
            "Vérification de l'urne %(n)s sur %(total)s (%(name)s) : "
            "recalcul du décompte chiffré à partir des bulletins publiés…"
        ),
        "decrypting": _("Urnes vérifiées ; déchiffrement partiel des %(total)s scrutin(s)…"),
        "sending": _("Envoi des déchiffrements partiels de %(total)s scrutin(s)…"),
        "no_key_file": _("Choisissez d'abord votre fichier de clé."),
        "passphrase_needed": _("Ce fichier est protégé par une phrase de passe : saisissez-la."),
        "wrong_passphrase": _(
            "La phrase de passe n'ouvre pas ce fichier (ou le fichier a été modifié)."
        ),
        "dkey_needed": _(
            "Ce fichier est un ID.key de délégué : ajoutez aussi votre fichier ID.dkey."
        ),
        "not_key_file": _("Ce fichier n'est pas un fichier de clé lisible (%(detail)s)."),
        "wrong_key": _("Cette clé n'est pas une des clés du scrutin %(name)s."),
        "archive_unreadable": _(
            "L'archive publiée du scrutin %(name)s est illisible ou incohérente (%(detail)s) : "
            "rien n'est déchiffré."
        ),
        "archive_other": _(
            "L'archive reçue pour le scrutin %(name)s est celle d'un autre scrutin : "
            "rien n'est déchiffré."
        ),
        "result_done": _("Le scrutin %(name)s a déjà son résultat."),
        "tally_mismatch": _(
            "Refus : le décompte chiffré que le serveur présente pour le scrutin %(name)s "
            "n'est pas le produit des bulletins publiés. Rien n'est déchiffré ni envoyé ; "
            "prévenez le bureau de vote."
        ),
        "failed": _("Le déchiffrement n'a pas pu se faire : %(detail)s"),
    }


def _page(request: HttpRequest, election: Election, status: int = 200) -> HttpResponse:
    return render(
        request,
        "count/count.html",
        {
            "election": election,
            "rows": count_overview(election=election),
            "browser": browser_decryption_data(election=election),
            "browser_texts": _browser_texts(),
        },
        status=status,
    )


def _proclaimed(scrutin_uuid: str) -> tuple[Scrutin, object]:
    scrutin = Scrutin.objects.select_related("body", "election").filter(uuid=scrutin_uuid).first()
    count = proclaimed_result(scrutin=scrutin) if scrutin is not None else None
    if scrutin is None or count is None:
        raise Http404
    return scrutin, count


@require_GET
def result_json(request: HttpRequest, scrutin_uuid: str) -> JsonResponse:
    """A proclaimed result (public): the figures of the results page (``result_data``, as in
    the national download), plus the decrypted counts, the émargements they were checked
    against and the PV's whole figures (rounds, draws), exact values as strings."""
    scrutin, count = _proclaimed(scrutin_uuid)
    result = scrutin_result(scrutin=scrutin)
    assert result is not None  # noqa: S101 - _proclaimed found it proclaimed
    return JsonResponse(
        {
            **result_data(result),
            "counts": count.counts,  # type: ignore[attr-defined]
            "emargements": count.emargements,  # type: ignore[attr-defined]
            "figures": count.figures,  # type: ignore[attr-defined]
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def result_csv(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    """A proclaimed result (public) as CSV: one line per list."""
    scrutin, count = _proclaimed(scrutin_uuid)
    rows = [[_("Liste"), _("Voix"), _("Part des suffrages exprimés (%)"), _("Sièges")]]
    rows += [
        [r["name"], str(r["votes"]), r["share_percent"] or "", str(r["seats"])]
        for r in result_rows(count)  # type: ignore[arg-type]
    ]
    response = HttpResponse("".join(csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="resultats-{scrutin.uuid}.csv"'
    return response
