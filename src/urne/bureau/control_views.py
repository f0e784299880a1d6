"""The bureau's control page (ADR 0770): the state of the vote, the decisions recorded, and
for the president the forms that record a suspension, a resumption, an extension, a close
and the freeze."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from urne.backoffice.permissions import BUREAU_PAGES, bureau_pages_require, staff_required
from urne.elections.calendar import extension_limit
from urne.elections.models import Election
from urne.site.parsing import InputError, date, int_id, refusal_page, text

from .control import (
    ControlError,
    control_state,
    vote_close,
    vote_extend,
    vote_freeze,
    vote_resume,
    vote_suspend,
)
from .models import Member

_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)

DONE = {
    "suspend": gettext_lazy("Le vote est suspendu : l'isoloir l'annonce et refuse les bulletins."),
    "resume": gettext_lazy("Le vote a repris."),
    "extend": gettext_lazy("La clôture est prolongée."),
    "close": gettext_lazy(
        "Le vote est clos ; les électeurs déjà dans l'isoloir disposent du délai de grâce."
    ),
    "freeze": gettext_lazy("Les urnes, les émargements et les compteurs sont figés."),
}


def _until(request: HttpRequest) -> datetime:
    """The extension's new close, typed in Paris time (a date and HH:MM)."""
    day = date(text(request.POST.get("until_date", ""), max_length=10))
    hhmm = text(request.POST.get("until_time", ""), max_length=5)
    if not _TIME.fullmatch(hhmm):
        raise InputError("bad_date")
    hour, minute = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _page(request: HttpRequest, election: Election, status: int = 200) -> HttpResponse:
    state = control_state(election=election)
    members = (
        Member.objects.filter(bureau=state.bureau).order_by("-role", "pk")
        if state.bureau
        else Member.objects.none()
    )
    president = members.filter(user_id=request.user.pk or 0, role=Member.Role.PRESIDENT).exists()
    return render(
        request,
        "bureau/control_page.html",
        {
            "election": election,
            "control": state,
            "members": members,
            "president": president,
            "limit": extension_limit(election),
        },
        status=status,
    )


@staff_required(BUREAU_PAGES)
@require_http_methods(["GET", "POST"])
def control_page(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    bureau_pages_require(request, election)  # that election's bureau only (ADR 0702)
    if request.method == "GET":
        return _page(request, election)
    action = request.POST.get("action")
    try:
        members = [int_id(text(m, max_length=18)) for m in request.POST.getlist("members")]
        reason = text(request.POST.get("reason", ""), max_length=2000)
        who = request.user
        if action == "suspend":
            vote_suspend(election=election, actor=who, members=members, reason=reason)
        elif action == "resume":
            vote_resume(election=election, actor=who, members=members, reason=reason)
        elif action == "close":
            vote_close(election=election, actor=who, members=members, reason=reason)
        elif action == "extend":
            until = _until(request)
            vote_extend(election=election, actor=who, members=members, reason=reason, until=until)
        elif action == "freeze":
            vote_freeze(election=election, actor=request.user)
        else:
            raise InputError("not_text")
    except InputError as exc:
        return refusal_page(request, exc)
    except ControlError as exc:
        messages.error(request, exc.message)
        return _page(request, election, status=403 if exc.code == "not_president" else 400)
    messages.success(request, DONE[str(action)])
    return redirect("bureau:control", election.pk)
