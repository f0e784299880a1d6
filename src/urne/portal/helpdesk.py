"""The helpdesk's side of a new voter identifier (ADR 0610), on the back office's voter page:
the voter's requests and their SMS states (never a code or a number), and the reserve code
sent by SMS to the number the voter gives (audited; the helpdesk never sees the code)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urne.backoffice.permissions import FIND_VOTER, staff_required
from urne.elections.models import Voter

from . import replacement
from .forms import ReserveForm


def replacement_state(voter: Voter) -> dict[str, Any]:
    """What the voter page shows of the voter's requests (a context for
    ``portal/helpdesk_replacement.html``)."""
    return {
        "replacement_shown": voter.election.style == "2018",
        "replacement_open": replacement.replacement_open(voter=voter),
        "replacement_requests": replacement.replacement_history(voter=voter),
        "replacement_left": replacement.requests_left(voter=voter),
        "replacement_reserve_left": replacement.reserve_left(voter=voter),
        "reserve_form": ReserveForm(),
    }


@staff_required(FIND_VOTER)
@require_POST
def reserve_send(request: HttpRequest, voter_id: int) -> HttpResponse:
    voter = get_object_or_404(Voter.objects.select_related("election"), pk=voter_id)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("backoffice:voter", voter_id=voter.pk)
    try:
        replacement.replacement_reserve_send(
            actor=request.user, voter=voter, phone=form.cleaned_data["phone"]
        )
    except replacement.ReplacementRefused as refused:
        messages.error(request, refused.message)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(
            request,
            _("Le code de réserve part par SMS au numéro donné ; l'ancien code est invalidé."),
        )
    return redirect("backoffice:voter", voter_id=voter.pk)
