"""The public results (ADR 0803) on the portal: the election's page (every proclaimed scrutin,
the totals per body, the national representativeness, with accessible SVG charts beside
their tables), a scrutin's page, the procès-verbaux (ADR 0804) and the national downloads.

Public once proclaimed, nothing before: the election's page says that no result is
proclaimed yet (and shows no figure, ADR 0531); a scrutin's page, PV or download answers
404 until that scrutin is proclaimed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from urne.accounts.selectors import current_voter, election_current
from urne.elections.models import Election, Scrutin
from urne.site.spreadsheet import csv_lines

from .charts import bar_chart
from .pv_pdf import national_pv_pdf, scrutin_pv_pdf
from .results import (
    BodyTotal,
    ScrutinResult,
    body_totals,
    representativeness_body,
    scrutin_result,
    scrutin_results,
    share,
)


def _context(request: HttpRequest, election: Election | None, **extra: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "election": election,
        "style": election.style if election else "2022",
        "portal_voter": current_voter(request),
    }
    ctx.update(extra)
    return ctx


def _shown(text: str | None) -> str:
    """A share as the page shows it: localised (50,00 % in French), 0 when there is none."""
    return f"{number_format(share(text) or Decimal(0), decimal_pos=2)} %"


def _scrutin_chart(r: ScrutinResult) -> Any:
    return bar_chart(
        id=f"chart-{r.scrutin.uuid}",
        title=_("%(s)s : part des suffrages exprimés par liste") % {"s": r.scrutin},
        rows=[(lst.name, lst.share_percent, _shown(lst.share_percent)) for lst in r.lists],
    )


def _organisations_chart(total: BodyTotal, id: str, title: str) -> Any:
    return bar_chart(
        id=id,
        title=title,
        rows=[(o.name, o.share_percent, _shown(o.share_percent)) for o in total.organisations],
    )


def _election() -> Election:
    election = election_current()
    if election is None:
        raise Http404
    return election


@require_GET
def results_index(request: HttpRequest) -> HttpResponse:
    election = election_current()
    results = scrutin_results(election=election) if election is not None else []
    if election is None or not results:
        return render(request, "count/results_pending.html", _context(request, election))
    totals = body_totals(election=election, results=results)
    rep = representativeness_body(totals)
    bodies = [
        (
            t,
            _organisations_chart(
                t,
                f"chart-body-{t.body.pk}",
                _("%(b)s : part des voix par organisation") % {"b": t.body.name},
            ),
        )
        for t in totals
    ]
    rep_chart = (
        _organisations_chart(rep, "chart-representativeness", _("Représentativité nationale"))
        if rep is not None
        else None
    )
    return render(
        request,
        "count/results.html",
        _context(
            request,
            election,
            results=results,
            bodies=bodies,
            representativeness=rep,
            representativeness_chart=rep_chart,
            pending=election.scrutins.count() - len(results),
        ),
    )


def _proclaimed(scrutin_uuid: str) -> ScrutinResult:
    scrutin = Scrutin.objects.select_related("body", "election").filter(uuid=scrutin_uuid).first()
    result = scrutin_result(scrutin=scrutin) if scrutin is not None else None
    if result is None:
        raise Http404
    return result


@require_GET
def result_page(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    try:
        result = _proclaimed(scrutin_uuid)
    except Http404:
        return render(
            request, "count/results_pending.html", _context(request, election_current()), status=404
        )
    return render(
        request,
        "count/result.html",
        _context(request, result.scrutin.election, r=result, chart=_scrutin_chart(result)),
    )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def result_pv(request: HttpRequest, scrutin_uuid: str) -> HttpResponse:
    result = _proclaimed(scrutin_uuid)
    return _pdf(scrutin_pv_pdf(result), f"proces-verbal-{result.scrutin.uuid}.pdf")


def _national() -> tuple[Election, list[ScrutinResult], list[BodyTotal]]:
    election = _election()
    results = scrutin_results(election=election)
    if not results:
        raise Http404
    return election, results, body_totals(election=election, results=results)


@require_GET
def national_pv(request: HttpRequest) -> HttpResponse:
    election, results, totals = _national()
    return _pdf(
        national_pv_pdf(election=election, results=results, totals=totals),
        "proces-verbal-national.pdf",
    )


def result_data(r: ScrutinResult) -> dict[str, Any]:
    """A proclaimed scrutin's figures as the downloads give them (exact values as strings)."""
    return {
        "scrutin": r.scrutin.uuid,
        "name": str(r.scrutin),
        "body": r.scrutin.body.code,
        "perimeter": r.scrutin.perimeter,
        "registered": r.registered,
        "voters": r.voters,
        "turnout_percent": r.turnout_percent,
        "blank": r.blank,
        "valid": r.valid,
        "titular_seats": r.scrutin.titular_seats,
        "lists": [
            {
                "name": lst.name,
                "votes": lst.votes,
                "share_percent": lst.share_percent,
                "seats": lst.seats,
            }
            for lst in r.lists
        ],
        "proclaimed_at": r.count.proclaimed_at.isoformat() if r.count.proclaimed_at else None,
    }


@require_GET
def national_json(request: HttpRequest) -> JsonResponse:
    election, results, totals = _national()
    rep = representativeness_body(totals)

    def orgs(t: BodyTotal) -> list[dict[str, Any]]:
        return [
            {
                "name": o.name,
                "votes": str(o.votes),
                "share_percent": o.share_percent,
                "seats": o.seats,
                "joint_list_seats": o.joint_seats,
            }
            for o in t.organisations
        ]

    return JsonResponse(
        {
            "election": election.name,
            "scrutins": [result_data(r) for r in results],
            "pending": election.scrutins.count() - len(results),
            "bodies": [
                {
                    "code": t.body.code,
                    "name": t.body.name,
                    "scrutins": t.scrutins,
                    "scrutins_in_body": t.scrutins_in_body,
                    "registered": t.registered,
                    "voters": t.voters,
                    "turnout_percent": t.turnout_percent,
                    "blank": t.blank,
                    "valid": t.valid,
                    "organisations": orgs(t),
                }
                for t in totals
            ],
            "representativeness": None
            if rep is None
            else {"body": rep.body.code, "organisations": orgs(rep)},
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def national_csv(request: HttpRequest) -> HttpResponse:
    """Every proclaimed scrutin, one line per list, with the scrutin's figures repeated."""
    results = _national()[1]
    rows = [
        [_("Instance"), _("Scrutin"), _("Inscrits"), _("Votants"), _("Participation (%)"),
         _("Blancs"), _("Exprimés"), _("Liste"), _("Voix"), _("Part des suffrages exprimés (%)"),
         _("Sièges")]
    ]  # fmt: skip
    for r in results:
        for lst in r.lists:
            rows.append(
                [r.scrutin.body.code, str(r.scrutin), str(r.registered), str(r.voters),
                 r.turnout_percent or "", str(r.blank), str(r.valid), lst.name, str(lst.votes),
                 lst.share_percent or "", str(lst.seats)]
            )  # fmt: skip
    response = HttpResponse("".join(csv_lines(rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="resultats-national.csv"'
    return response
