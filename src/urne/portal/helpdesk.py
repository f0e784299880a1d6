"""The helpdesk's pages of the portal's records: a new voter identifier (ADR 0610), on the
back office's voter page (the voter's requests and their SMS states, never a code or a
number; the reserve code sent by SMS to the number the voter gives, audited; the helpdesk
never sees the code), and the assistance requests (the list of an election's, one request:
answer it by e-mail, or close it; ``answers``)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from urne.backoffice.permissions import FIND_VOTER, staff_required
from urne.elections.models import Election, Voter

from . import answers, replacement
from .forms import AssistanceAnswerForm, ReserveForm
from .models import AssistanceRequest


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


def voter_assistance_requests(voter: Voter) -> list[AssistanceRequest]:
    """The voter's assistance requests: written logged in, or from their professional
    address (the voter page's list)."""
    return list(
        AssistanceRequest.objects.filter(election_id=voter.election_id)
        .filter(Q(voter=voter) | Q(voter__isnull=True, email__iexact=voter.email))
        .order_by("-created_at")[:20]
    )


def open_assistance_requests(election: Election) -> int:
    return AssistanceRequest.objects.filter(
        election=election, status=AssistanceRequest.Status.OPEN
    ).count()


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


@staff_required(FIND_VOTER)
def assistance_requests(request: HttpRequest, election_id: int) -> HttpResponse:
    """An election's assistance requests, the open ones first (``?etat=closed``: the handled
    ones)."""
    election = get_object_or_404(Election, pk=election_id)
    status = request.GET.get("etat", AssistanceRequest.Status.OPEN)
    if status not in AssistanceRequest.Status.values:
        status = AssistanceRequest.Status.OPEN
    requests = AssistanceRequest.objects.filter(election=election, status=status).order_by(
        "created_at" if status == AssistanceRequest.Status.OPEN else "-closed_at", "pk"
    )
    return render(
        request,
        "portal/helpdesk_requests.html",
        {
            "election": election,
            "status": status,
            "page": Paginator(requests, 50).get_page(request.GET.get("page")),
            "open_count": open_assistance_requests(election),
        },
    )


@staff_required(FIND_VOTER)
@require_http_methods(["GET", "POST"])
def assistance_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: answer it (the answer e-mailed, the request closed) or close it."""
    item = get_object_or_404(
        AssistanceRequest.objects.select_related("election", "voter", "closed_by"), pk=request_id
    )
    form = AssistanceAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "answer":
                answers.assistance_answer(
                    actor=request.user,
                    assistance=item,
                    response=form.cleaned_data["response"],
                )
                done = _("Réponse envoyée par courriel ; la demande est traitée.")
            elif action == "close":
                answers.assistance_close(actor=request.user, assistance=item)
                done = _("Demande close sans réponse.")
            else:
                raise ValidationError(_("Action inconnue."))
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, done)
            return redirect("helpdesk:assistance_requests", election_id=item.election_id)
    return render(
        request,
        "portal/helpdesk_request.html",
        {"item": item, "election": item.election, "form": form},
        status=400 if form.errors else 200,
    )
