"""Back-office pages of the authority: codes, notices, scrutin setup, code replacement."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urne.backoffice.permissions import (
    FIND_VOTER,
    MANAGE_ELECTION,
    VIEW_ELECTION,
    permission_require,
    staff_required,
)
from urne.elections.eligibility import voter_scrutins
from urne.elections.models import Election, Voter

from . import selectors, services
from .forms import GenerateForm, ReplaceForm, SetupForm
from .notices import DEFAULT_BATCH, notice_batches, notices_batch_pdf
from .setup import scrutins_setup
from .tasks import generation_progress


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    cset = selectors.credential_set(election_id=election.pk)
    setups = selectors.scrutin_setups(election_id=election.pk)
    scrutins = list(election.scrutins.select_related("body").order_by("pk"))
    gen_form = GenerateForm()
    setup_form = SetupForm(choices=[(s.uuid, str(s)) for s in scrutins if s.uuid not in setups])
    if request.method == "POST":
        permission_require(request, MANAGE_ELECTION)
        action = request.POST.get("action")
        if action == "generate":
            gen_form = GenerateForm(request.POST)
            if gen_form.is_valid():
                try:
                    services.credentials_generate_queue(
                        election=election,
                        actor=request.user,
                        spares=gen_form.cleaned_data["spares"],
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                else:
                    messages.success(request, _("Génération des codes lancée."))
                    return redirect("authority:codes", election.pk)
        elif action == "setup":
            setup_form = SetupForm(
                request.POST,
                request.FILES,
                choices=[(s.uuid, str(s)) for s in scrutins if s.uuid not in setups],
            )
            if setup_form.is_valid():
                chosen = set(setup_form.cleaned_data["scrutins"])
                try:
                    outcome = scrutins_setup(
                        election=election,
                        scrutins=[s for s in scrutins if s.uuid in chosen],
                        president=setup_form.cleaned_data["president"].read(),
                        threshold=setup_form.cleaned_data["threshold"].read(),
                        actor=request.user,
                    )
                except ValidationError as exc:
                    setup_form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        _("Urne initialisée pour %(n)d scrutin(s).") % {"n": len(outcome.written)},
                    )
                    return redirect("authority:codes", election.pk)
    downloads = selectors.notices_downloads(election_id=election.pk)
    batches = notice_batches(election_id=election.pk) if cset and cset.generated_at else []
    rows = [(b, len(b.voter_ids), downloads.get(b.number)) for b in batches]
    return render(
        request,
        "authority/codes.html",
        {
            "election": election,
            "cset": cset,
            "scrutins": [(s, setups.get(s.uuid)) for s in scrutins],
            "gen_form": gen_form,
            "setup_form": setup_form,
            "batches": rows,
            "batch_size": DEFAULT_BATCH,
            "downloaded": sum(1 for r in rows if r[2] is not None),
            "generating": generation_progress(election.pk),
        },
    )


@staff_required(MANAGE_ELECTION)
def notices(request: HttpRequest, election_id: int, number: int) -> HttpResponse:
    """One print batch as PDF, produced for this response and not kept (audited)."""
    election = get_object_or_404(Election, pk=election_id)
    pdf = notices_batch_pdf(election=election, number=number, actor=request.user)
    if pdf is None:
        return render(request, "authority/error.html", {"message": _("Lot inconnu.")}, status=404)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="avis-{election.pk}-lot-{number:04d}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(FIND_VOTER)
@require_http_methods(["GET", "POST"])
def replace(request: HttpRequest, voter_id: int) -> HttpResponse:
    voter = get_object_or_404(Voter.objects.select_related("election"), pk=voter_id)
    form = ReplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.credentials_replace(
                voter=voter, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Code n° %(i)d activé ; l'ancien code est révoqué.") % {"i": slot.index + 1},
            )
            return redirect("authority:replace", voter.pk)
    return render(
        request,
        "authority/replace.html",
        {
            "voter": voter,
            "election": voter.election,
            "slots": selectors.voter_slots(voter_id=voter.pk),
            "scrutins": voter_scrutins(voter),
            "form": form,
        },
    )
