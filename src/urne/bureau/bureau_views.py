"""The bureau's own pages, for its members only (``permissions.bureau_pages_allowed``): its
home (the election, the members and their access, links to the bureau's pages), the journal
of interventions (ADR 0702) and the lost key (ADR 0701)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from urne.backoffice.permissions import BUREAU_PAGES, bureau_pages_require, staff_required
from urne.elections.models import Election

from .forms import KeyLossForm
from .journal import journal_entry, journal_events
from .keyloss import KeyLossError, key_loss_declare, key_state
from .members import bureau_of, members_overview
from .selectors import bureau_member, bureau_scrutins

JOURNAL_PAGE = 50


def _bureau_election(request: HttpRequest, election_id: int) -> Election:
    election = get_object_or_404(Election, pk=election_id)
    bureau_pages_require(request, election)
    return election


@require_GET
@staff_required(BUREAU_PAGES)
def home(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _bureau_election(request, election_id)
    bureau = bureau_of(election)
    return render(
        request,
        "bureau/home.html",
        {
            "election": election,
            "bureau": bureau,
            "me": bureau_member(request.user, election),
            "rows": members_overview(bureau),
            "scrutins": bureau_scrutins(bureau),
            "resets": journal_events(election=election)
            .filter(action="bureau.member_access_reset")
            .count(),
        },
    )


@require_GET
@staff_required(BUREAU_PAGES)
def journal(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _bureau_election(request, election_id)
    page = Paginator(journal_events(election=election), JOURNAL_PAGE).get_page(
        request.GET.get("page")
    )
    entries = [journal_entry(event) for event in page]
    return render(
        request, "bureau/journal.html", {"election": election, "page": page, "entries": entries}
    )


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def key_loss(request: HttpRequest, election_id: int) -> HttpResponse:
    """What the bureau may do about a lost key now, and the president's record of the
    decision."""
    election = _bureau_election(request, election_id)
    bureau = bureau_of(election)
    me = bureau_member(request.user, election)
    form = KeyLossForm(request.POST or None, bureau=bureau)
    status = 200
    if request.method == "POST":
        if me is None:
            messages.error(request, KeyLossError("president_only").message)
            status = 403
        elif form.is_valid():
            try:
                key_loss_declare(
                    bureau=bureau,
                    recorder=me,
                    holder=form.cleaned_data["holder"],
                    present=list(form.cleaned_data["present"]),
                    reason=form.cleaned_data["reason"],
                )
            except KeyLossError as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                messages.success(request, _("Décision du bureau enregistrée."))
                return redirect("bureau:key_loss", election.pk)
        else:
            status = 400
    return render(
        request,
        "bureau/key_loss.html",
        {
            "election": election,
            "me": me,
            "form": form,
            "state": key_state(bureau=bureau),
        },
        status=status,
    )
