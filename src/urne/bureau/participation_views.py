"""The bureau's participation pages (ADR 0771): the election's figures, a scrutin's figures
with its émargement list (search, pages) and the list's export. The bureau and the
delegates only, at any time (`backoffice.permissions.participation_visible`, ADR 0531)."""

from __future__ import annotations

from itertools import chain

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from urne.audit.services import audit_append
from urne.backoffice.permissions import BUREAU_PAGES, participation_visible, staff_required
from urne.elections.models import Election, Scrutin
from urne.site.parsing import InputError, refusal_page, text
from urne.site.spreadsheet import csv_lines

from .participation import emargement_rows, emargements, participation_overview
from .participation_chart import chart

#: Lines of the émargement list per page.
PAGE_SIZE = 50


def _visible(request: HttpRequest, election: Election) -> None:
    if not participation_visible(user=request.user, election=election):
        raise PermissionDenied


@staff_required(BUREAU_PAGES)
@require_GET
def participation_page(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    _visible(request, election)
    overview = participation_overview(election=election)
    return render(
        request,
        "bureau/participation_page.html",
        {
            "election": election,
            "overview": overview,
            "chart": chart(overview),
            "tables": [
                (_("Par scrutin"), overview.scrutins, True),
                (_("Par académie"), overview.academies, False),
                (_("Par catégorie"), overview.categories, False),
            ],
        },
    )


@staff_required(BUREAU_PAGES)
@require_GET
def participation_scrutin(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = get_object_or_404(Scrutin.objects.select_related("election", "body"), pk=scrutin_id)
    _visible(request, scrutin.election)
    try:
        query = text(request.GET.get("q", ""), max_length=100)
    except InputError as exc:
        return refusal_page(request, exc)
    overview = participation_overview(election=scrutin.election, scrutin=scrutin)
    paginator = Paginator(emargements(scrutin=scrutin, query=query), PAGE_SIZE)
    if not query:
        # The counters already hold the count: no COUNT(*) over a million émargements.
        paginator.count = overview.total.voted
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "bureau/participation_scrutin.html",
        {
            "election": scrutin.election,
            "scrutin": scrutin,
            "overview": overview,
            "chart": chart(overview),
            "tables": [
                (_("Par académie"), overview.academies, False),
                (_("Par catégorie"), overview.categories, False),
            ],
            "page": page,
            "query": query,
        },
    )


@staff_required(BUREAU_PAGES)
@require_GET
def emargements_csv(request: HttpRequest, scrutin_id: int) -> StreamingHttpResponse:
    """The scrutin's émargement list as CSV (audited: who took a copy, when)."""
    scrutin = get_object_or_404(Scrutin.objects.select_related("election", "body"), pk=scrutin_id)
    _visible(request, scrutin.election)
    audit_append(
        actor=request.user,
        action="bureau.emargements_export",
        obj=scrutin,
        data={"scrutin": scrutin.uuid},
    )
    header = [_("Nom"), _("Prénom"), "NUMEN", _("Académie"), _("Catégorie")]
    header.append(_("A voté le (heure de Paris)"))
    rows = csv_lines(chain([header], emargement_rows(scrutin=scrutin)))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="emargements-{scrutin.uuid}.csv"'
    return response
