"""Back-office pages. Views parse input, call one service or selector, render."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urne.accounts.selectors import account_messages, account_state
from urne.audit.models import AuditEvent
from urne.audit.services import audit_chain_check
from urne.authority.selectors import reassort_requests
from urne.bureau.selectors import member_bureaux
from urne.elections import eligibility, selectors, services
from urne.elections.candidate_lists import (
    candidate_list_check,
    electorate_women_share,
    profession_de_foi_attach,
    profession_de_foi_response,
    union_shares,
)
from urne.elections.models import (
    Body,
    CandidateList,
    Complaint,
    Election,
    ImportJob,
    RollAdjustment,
    Scrutin,
    Voter,
    VoterCategory,
)
from urne.elections.voter_import import import_errors_csv, voter_import_start
from urne.portal.helpdesk import replacement_state

from .forms import (
    AdjustmentForm,
    ComplaintDecisionForm,
    ElectionForm,
    ProfessionDeFoiForm,
    VoterFileForm,
    VoterSearchForm,
)
from .permissions import (
    FIND_VOTER,
    MANAGE_ELECTION,
    VIEW_AUDIT,
    VIEW_ELECTION,
    permission_require,
    staff_required,
    voter_messages_visible,
)


def _require_manage_on_post(request: HttpRequest) -> None:
    if request.method == "POST":
        permission_require(request, MANAGE_ELECTION)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/home.html",
        {
            "elections": Election.objects.order_by("-created_at"),
            "roles": [g.name for g in request.user.groups.all()],
            "bureaux": member_bureaux(request.user),
        },
    )


@staff_required(VIEW_ELECTION)
def election_detail(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    return render(
        request,
        "backoffice/election.html",
        {
            "election": election,
            "bodies": Body.objects.filter(election=election),
            "voters": Voter.objects.filter(election=election).count(),
            "scrutins": Scrutin.objects.filter(election=election).count(),
            "lists": CandidateList.objects.filter(scrutin__election=election).count(),
            "open_complaints": Complaint.objects.filter(
                election=election, status=Complaint.Status.OPEN
            ).count(),
        },
    )


@staff_required(MANAGE_ELECTION)
@require_http_methods(["GET", "POST"])
def election_edit(request: HttpRequest, election_id: int) -> HttpResponse:
    """The election and its calendar, with the legal checks; every change audited."""
    election = get_object_or_404(Election, pk=election_id)
    initial = {
        "name": election.name,
        "style": election.style,
        "reassort_nir": election.reassort_nir,
    }
    initial |= {f: getattr(election, f) for f in services.CALENDAR_FIELDS}
    form = ElectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            changes = services.election_update(actor=request.user, election=election, **data)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if changes:
                messages.success(request, _("Élection enregistrée."))
            return redirect("backoffice:election", election_id=election.pk)
    return render(
        request,
        "backoffice/election_edit.html",
        {"election": election, "form": form},
        status=400 if form.errors else 200,
    )


@staff_required(MANAGE_ELECTION)
@require_http_methods(["GET", "POST"])
def voter_import(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    form = VoterFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = voter_import_start(
                actor=request.user, election=election, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
        else:
            return redirect("backoffice:import_progress", job_id=job.pk)
    return render(
        request,
        "backoffice/import.html",
        {
            "election": election,
            "form": form,
            "jobs": election.imports.all()[:20],
        },
    )


@staff_required(MANAGE_ELECTION)
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("election"), pk=job_id)
    return render(
        request,
        "backoffice/import_progress.html",
        {
            "job": job,
            "election": job.election,
            "errors": job.errors.all()[:50],
            "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        },
    )


@staff_required(MANAGE_ELECTION)
def import_errors(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id)
    response = StreamingHttpResponse(import_errors_csv(job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}.csv"'
    return response


def _rules_from_post(
    request: HttpRequest, categories: list[VoterCategory], bodies: list[Body]
) -> dict[int, set[int]]:
    chosen = set(request.POST.getlist("rule"))
    return {c.pk: {b.pk for b in bodies if f"{c.pk}:{b.pk}" in chosen} for c in categories}


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, election_id: int) -> HttpResponse:
    """The "qui vote où" table: edit it, preview the voters each scrutin gets, save."""
    _require_manage_on_post(request)
    election = get_object_or_404(Election, pk=election_id)
    categories = list(VoterCategory.objects.filter(election=election).prefetch_related("bodies"))
    bodies = list(Body.objects.filter(election=election))
    proposed = None
    if request.method == "POST":
        proposed = _rules_from_post(request, categories, bodies)
        if request.POST.get("action") == "save":
            try:
                services.rules_set(actor=request.user, election=election, rules=proposed)
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, _("Règles enregistrées."))
                return redirect("backoffice:rules", election_id=election.pk)
    current = proposed or {c.pk: {b.pk for b in c.bodies.all()} for c in categories}
    preview = eligibility.rules_preview(election=election, rules=current)
    table = [(c, [(b, b.pk in current.get(c.pk, set())) for b in bodies]) for c in categories]
    return render(
        request,
        "backoffice/rules.html",
        {
            "election": election,
            "bodies": bodies,
            "table": table,
            "preview": preview,
            "is_preview": proposed is not None,
        },
    )


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def rolls(request: HttpRequest, election_id: int) -> HttpResponse:
    _require_manage_on_post(request)
    election = get_object_or_404(Election, pk=election_id)
    if request.method == "POST":
        counts = services.rolls_publish(actor=request.user, election=election)
        messages.success(
            request, _("Listes électorales publiées (%(n)d scrutins).") % {"n": len(counts)}
        )
        return redirect("backoffice:rolls", election_id=election.pk)
    preview = eligibility.rules_preview(election=election)
    published = dict(
        Scrutin.objects.filter(election=election).values_list("pk").annotate(n=Count("roll"))
    )
    return render(
        request,
        "backoffice/rolls.html",
        {
            "election": election,
            "preview": preview,
            "published": published,
        },
    )


def _adjusted_message(election: Election) -> str:
    if not eligibility.rolls_published(election):
        return _("Correction enregistrée.")
    # The published roll rules until the next publication (ADR 0104).
    return _(
        "Correction enregistrée. Les listes électorales étant publiées, elle prendra effet à "
        "leur prochaine publication."
    )


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def roll(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    _require_manage_on_post(request)
    scrutin = get_object_or_404(Scrutin.objects.select_related("body", "election"), pk=scrutin_id)
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voter = Voter.objects.filter(
            election=scrutin.election, numen=form.cleaned_data["numen"].upper()
        ).first()
        if voter is None:
            form.add_error("numen", _("Aucun électeur avec ce NUMEN dans cette élection."))
        else:
            try:
                services.roll_adjust(
                    actor=request.user,
                    scrutin=scrutin,
                    voter=voter,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _adjusted_message(scrutin.election))
                return redirect("backoffice:roll", scrutin_id=scrutin.pk)
    page = Paginator(
        eligibility.roll_computed(scrutin).order_by("last_name", "first_name", "pk"), 100
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/roll.html",
        {
            "scrutin": scrutin,
            "election": scrutin.election,
            "page": page,
            "form": form,
            "adjustments": RollAdjustment.objects.filter(scrutin=scrutin).select_related("voter"),
        },
    )


@staff_required(VIEW_ELECTION)
def list_checks(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    lists = (
        CandidateList.objects.filter(scrutin__election=election)
        .select_related("scrutin__body")
        .prefetch_related("candidates")
    )
    shares: dict[int, float | None] = {}
    rows = []
    for lst in lists:
        if lst.scrutin_id not in shares:
            shares[lst.scrutin_id] = electorate_women_share(lst.scrutin)
        rows.append((lst, candidate_list_check(lst, women_share=shares[lst.scrutin_id])))
    by_scrutin: dict[Scrutin, list[Any]] = defaultdict(list)
    for lst, problems in rows:
        by_scrutin[lst.scrutin].append((lst, problems))
    return render(
        request,
        "backoffice/list_checks.html",
        {
            "election": election,
            "by_scrutin": dict(by_scrutin),
            "invalid": sum(1 for _lst, p in rows if p),
            "total": len(rows),
        },
    )


@staff_required(VIEW_ELECTION)
def profession_de_foi(request: HttpRequest, list_id: int) -> HttpResponse:
    lst = get_object_or_404(CandidateList.objects.select_related("scrutin"), pk=list_id)
    if not lst.profession_de_foi:
        raise Http404
    # A streamed file, not an HttpResponse: the staff decorators are typed for pages.
    return profession_de_foi_response(lst)  # type: ignore[return-value]


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def candidate_list(request: HttpRequest, list_id: int) -> HttpResponse:
    _require_manage_on_post(request)
    lst = get_object_or_404(
        CandidateList.objects.select_related("scrutin__body", "scrutin__election"), pk=list_id
    )
    form = ProfessionDeFoiForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            profession_de_foi_attach(
                actor=request.user, candidate_list=lst, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", _errors(exc))
        else:
            messages.success(request, _("Profession de foi enregistrée."))
            return redirect("backoffice:candidate_list", list_id=lst.pk)
    return render(
        request,
        "backoffice/candidate_list.html",
        {
            "lst": lst,
            "election": lst.scrutin.election,
            "form": form,
            "problems": candidate_list_check(lst),
            "shares": union_shares(lst),
            "bounds": lst.scrutin.candidate_bounds(),
        },
    )


@staff_required(VIEW_ELECTION)
def complaints(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    return render(
        request,
        "backoffice/complaints.html",
        {
            "election": election,
            "complaints": Complaint.objects.filter(election=election).select_related("voter"),
        },
    )


@staff_required(VIEW_ELECTION)
@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require_manage_on_post(request)
    item = get_object_or_404(Complaint.objects.select_related("election", "voter"), pk=complaint_id)
    form = ComplaintDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_decide(
                actor=request.user,
                complaint=item,
                status=form.cleaned_data["status"],
                response=form.cleaned_data["response"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Décision enregistrée."))
            return redirect("backoffice:complaints", election_id=item.election_id)
    return render(
        request,
        "backoffice/complaint.html",
        {
            "complaint": item,
            "election": item.election,
            "form": form,
        },
    )


@staff_required(FIND_VOTER)
def voter_find(request: HttpRequest, election_id: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_id)
    form = VoterSearchForm(request.GET or None)
    results = (
        selectors.voter_search(election=election, query=form.cleaned_data["q"] or "")
        if form.is_valid()
        else []
    )
    return render(
        request,
        "backoffice/voter_find.html",
        {
            "election": election,
            "form": form,
            "results": results,
        },
    )


@staff_required(FIND_VOTER)
def voter_detail(request: HttpRequest, voter_id: int) -> HttpResponse:
    voter = get_object_or_404(Voter.objects.select_related("election", "category"), pk=voter_id)
    return render(
        request,
        "backoffice/voter.html",
        {
            "voter": voter,
            "election": voter.election,
            **selectors.voter_state(voter),
            **account_state(voter),
            **replacement_state(voter),
            "account_messages": list(
                voter_messages_visible(
                    user=request.user, messages=account_messages(voter), election=voter.election
                )[:10]
            ),
            "can_act": request.user.has_perm(FIND_VOTER),
            "reassort_requests": reassort_requests(voter_id=voter.pk),
        },
    )


@staff_required(VIEW_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEvent.objects.order_by("-seq"), 50).get_page(request.GET.get("page"))
    report = audit_chain_check() if request.GET.get("check") else None
    return render(request, "backoffice/audit.html", {"page": page, "report": report})
