"""Voter portal pages (seeds 003–004). Views parse input, call one selector or service,
render; the calendar decides what each page shows (`urne.elections.calendar`)."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urne.accounts.decorators import voter_login_required
from urne.accounts.selectors import current_voter, election_current
from urne.elections.calendar import Feature, State, Window, window, windows
from urne.elections.candidate_lists import profession_de_foi_response
from urne.elections.models import Election, Voter
from urne.messaging.selectors import sms_gateway_delayed
from urne.site.parsing import InputError, int_id, refusal_page
from urne.site.ratelimit import client_address, rate_limited

from . import replacement as replacement_rules
from . import selectors, services
from .forms import AssistanceForm, ComplaintForm, ReplacementForm, RollSearchForm

TUTORIALS = ("parcours-electeur", "parcours-de-vote", "reassorts")
# When the accessibility statement was last made (RGAA: the statement carries its date); change
# it with the statement's content.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 12, 3)


def _limited(request: HttpRequest, limit: str, voter: Voter | None) -> bool:
    # Per voter when logged in (voters behind one address keep their own budget), else per
    # client address.
    key = f"v{voter.pk}" if voter is not None else f"a{client_address(request)}"
    return rate_limited(hits={limit: key})


def _election(request: HttpRequest) -> Election | None:
    voter = current_voter(request)
    return voter.election if voter is not None else election_current()


def _booth_url() -> str | None:
    """Where "Je vote" leads: the booth's entry once that app provides it, else a setting."""
    try:
        return reverse("booth:entry")
    except NoReverseMatch:
        return getattr(settings, "URNE_BOOTH_URL", None)


def _context(request: HttpRequest, voter: Voter | None, **extra: Any) -> dict[str, Any]:
    election = voter.election if voter is not None else election_current()
    ctx: dict[str, Any] = {
        "election": election,
        "style": election.style if election else "2022",
        "portal_voter": voter,
        "windows": windows(election) if election else {},
    }
    ctx.update(extra)
    return ctx


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs from the voter's home: (url name, label) pairs; the last is this page."""
    trail = [(reverse("portal:home"), _("Accueil"))]
    return trail + [(reverse(name) if name else "", label) for name, label in items]


def _closed(request: HttpRequest, voter: Voter, win: Window, title: str) -> HttpResponse:
    """A page whose window is not open: it says when it opens (or that it has closed)."""
    return render(
        request,
        "portal/closed.html",
        _context(request, voter, window=win, page_title=title, message=win.message()),
    )


def home(request: HttpRequest) -> HttpResponse:
    voter = current_voter(request)
    if voter is None:
        return render(request, "portal/landing.html", _context(request, None))
    return render(request, "portal/home.html", _context(request, voter, **_vote_context(voter)))


def edito(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/edito.html", _context(request, current_voter(request)))


def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/faq.html", _context(request, current_voter(request)))


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (déclaration d'accessibilité, RGAA model)."""
    return render(
        request,
        "portal/accessibility.html",
        _context(request, current_voter(request), statement_date=ACCESSIBILITY_STATEMENT_DATE),
    )


def privacy(request: HttpRequest) -> HttpResponse:
    """The personal-data notice; who answers for the processing is a setting (the employer
    that organises the election), with a neutral wording when it is not set."""
    return render(
        request,
        "portal/privacy.html",
        _context(
            request,
            current_voter(request),
            data_controller=settings.URNE_DATA_CONTROLLER,
            dpo_contact=settings.URNE_DPO_CONTACT,
        ),
    )


def tutorial(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in TUTORIALS:
        raise Http404
    return render(
        request,
        f"portal/tutorials/{slug}.html",
        _context(
            request,
            current_voter(request),
            tutorials=TUTORIALS,
            slug=slug,
            crumbs=_crumbs(("portal:faq", _("Aide")), ("", _("Tutoriel"))),
        ),
    )


@require_http_methods(["GET", "POST"])
def assistance(request: HttpRequest) -> HttpResponse:
    voter = current_voter(request)
    election = _election(request)
    if election is None:
        raise Http404
    initial = {}
    if voter is not None:
        initial = {"name": f"{voter.first_name} {voter.last_name}", "email": voter.email}
    form = AssistanceForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if _limited(request, "assistance", voter):
            form.add_error(None, _("Trop de demandes envoyées : réessayez dans une heure."))
            status = 429
        elif form.is_valid():
            try:
                services.assistance_request_file(
                    election=election, voter=voter, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Votre demande d'assistance a été enregistrée. L'assistance vous "
                        "répondra à votre adresse professionnelle."
                    ),
                )
                return redirect("portal:home")
    return render(
        request, "portal/assistance.html", _context(request, voter, form=form), status=status
    )


@voter_login_required
def profile(request: HttpRequest) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.PROFILE)
    if not win.is_open():
        return _closed(request, voter, win, _("Mon profil électeur"))
    return render(
        request,
        "portal/profile.html",
        _context(
            request,
            voter,
            scrutins=selectors.portal_scrutins(voter=voter),
            complaints_window=window(voter.election, Feature.COMPLAINTS),
            complaints=selectors.portal_complaints(voter=voter),
        ),
    )


@voter_login_required
def scrutins(request: HttpRequest) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.PROFILE)
    if not win.is_open():
        return _closed(request, voter, win, _("Mes scrutins"))
    return render(
        request,
        "portal/scrutins.html",
        _context(
            request,
            voter,
            scrutins=selectors.portal_scrutins(voter=voter),
            lists_window=window(voter.election, Feature.LISTS),
        ),
    )


@voter_login_required
def scrutin(request: HttpRequest, uuid: str) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.PROFILE)
    if not win.is_open():
        return _closed(request, voter, win, _("Mes scrutins"))
    found = selectors.portal_scrutin(voter=voter, uuid=uuid)
    lists_window = window(voter.election, Feature.LISTS)
    lists = selectors.portal_candidate_lists(scrutin=found) if lists_window.is_open() else []
    return render(
        request,
        "portal/scrutin.html",
        _context(
            request,
            voter,
            scrutin=found,
            lists=lists,
            lists_window=lists_window,
            crumbs=_crumbs(("portal:scrutins", _("Mes scrutins")), ("", str(found))),
        ),
    )


@voter_login_required
def profession_de_foi(request: HttpRequest, uuid: str, list_id: int) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    if not window(voter.election, Feature.LISTS).is_open():
        raise Http404
    found = selectors.portal_candidate_list(voter=voter, uuid=uuid, list_id=list_id)
    response = profession_de_foi_response(found)
    # A streamed file, not an HttpResponse: the portal's decorators are typed for pages.
    return response  # type: ignore[return-value]


@voter_login_required
def rolls(request: HttpRequest) -> HttpResponse:
    """The rolls of my scrutins: the list to choose one."""
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.ROLLS)
    if not win.is_open():
        return _closed(request, voter, win, _("Les listes électorales de mes scrutins"))
    return render(
        request,
        "portal/rolls.html",
        _context(request, voter, scrutins=selectors.portal_scrutins(voter=voter)),
    )


@voter_login_required
def roll(request: HttpRequest, uuid: str) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.ROLLS)
    if not win.is_open():
        return _closed(request, voter, win, _("Liste électorale"))
    found = selectors.portal_scrutin(voter=voter, uuid=uuid)
    form = RollSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    status = 200
    if query and _limited(request, "roll_search", voter):
        form.add_error(None, _("Trop de recherches : patientez une minute."))
        query, status = "", 429
    published = selectors.roll_published(scrutin=found)
    page = selectors.roll_page(scrutin=found, query=query, page=request.GET.get("page", 1))
    return render(
        request,
        "portal/roll.html",
        _context(
            request,
            voter,
            scrutin=found,
            crumbs=_crumbs(("portal:rolls", _("Listes électorales")), ("", str(found))),
            form=form,
            query=query,
            pager_query=urlencode({"q": query}) if query else "",
            page=page if published else None,
            published=published,
        ),
        status=status,
    )


@voter_login_required
@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    win = window(voter.election, Feature.COMPLAINTS)
    if not win.is_open():
        return _closed(request, voter, win, _("Formuler une réclamation"))
    mine = selectors.portal_scrutins(voter=voter)
    initial = {}
    if request.GET.get("scrutin"):  # the scrutin a page's link preselects
        try:
            initial["scrutin"] = int_id(request.GET["scrutin"])
        except InputError as exc:
            return refusal_page(request, exc)
    form = ComplaintForm(request.POST or None, scrutins=mine, initial=initial)
    status = 200
    if request.method == "POST":
        if _limited(request, "complaint", voter):
            form.add_error(None, _("Trop de réclamations envoyées : réessayez dans une heure."))
            status = 429
        elif form.is_valid():
            chosen = form.cleaned_data["scrutin"]
            try:
                services.portal_complaint_file(
                    voter=voter,
                    scrutin=form.scrutins.get(chosen) if chosen else None,
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, str(exc.args[0]) if exc.args else _("Erreur."))
            else:
                messages.success(
                    request,
                    _("Votre réclamation a été enregistrée. Le gestionnaire vous répondra."),
                )
                return redirect("portal:home")
    return render(
        request,
        "portal/complaint.html",
        _context(
            request,
            voter,
            form=form,
            window=win,
            complaints=selectors.portal_complaints(voter=voter),
        ),
        status=status,
    )


def _vote_context(voter: Voter) -> dict[str, Any]:
    win = window(voter.election, Feature.VOTE)
    state = win.state()
    target = win.closes if state is State.OPEN else win.opens if state is State.BEFORE else None
    remaining = int((target - timezone.now()).total_seconds()) if target else 0
    return {
        "vote_window": win,
        "vote_state": state.value,
        "vote_open": state is State.OPEN,
        "booth_url": _booth_url() if state is State.OPEN else None,
        "countdown_target": target,
        "countdown": {
            "days": remaining // 86400,
            "hours": remaining % 86400 // 3600,
            "minutes": remaining % 3600 // 60,
        },
    }


@voter_login_required
def vote(request: HttpRequest) -> HttpResponse:
    """The "Je vote" entry: the window in Paris time, a countdown, the way to the booth."""
    voter: Voter = request.voter  # type: ignore[attr-defined]
    return render(request, "portal/vote.html", _context(request, voter, **_vote_context(voter)))


@voter_login_required
@require_http_methods(["GET", "POST"])
def replacement(request: HttpRequest) -> HttpResponse:
    """ "Demander un nouvel identifiant électeur" (2018 style, seed 001; ADR 0610)."""
    voter: Voter = request.voter  # type: ignore[attr-defined]
    if voter.election.style != "2018":
        raise Http404
    title = _("Demande d'un nouvel identifiant électeur")
    win = window(voter.election, Feature.REPLACEMENT)
    if not win.is_open():
        return _closed(request, voter, win, title)
    left = replacement_rules.requests_left(voter=voter)
    form = ReplacementForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        limited = rate_limited(
            hits={
                "replacement_voter": f"v{voter.pk}",
                "replacement_address": f"a{client_address(request)}",
            }
        )
        if limited:
            form.add_error(None, _("Trop de demandes envoyées : réessayez dans une heure."))
            status = 429
        elif left <= 0:
            # The page no longer shows the form; a request posted anyway is refused (and
            # recorded) by the service's first rule.
            try:
                replacement_rules.replacement_request(
                    voter=voter, phone="", numen="", birth_date=None
                )
            except replacement_rules.ReplacementRefused:
                status = 400
        elif form.is_valid():
            try:
                replacement_rules.replacement_request(
                    voter=voter,
                    phone=form.cleaned_data["phone"],
                    numen=form.cleaned_data["numen"],
                    birth_date=form.cleaned_data["birth_date"],
                    language=request.LANGUAGE_CODE,
                )
            except replacement_rules.ReplacementRefused as refused:
                field = {
                    "wrong_numen": "numen",
                    "wrong_birth_date": "birth_date",
                    "phone_taken": "phone",
                }.get(refused.outcome)
                form.add_error(field, refused.message)
                left = replacement_rules.requests_left(voter=voter)
                status = 400
            else:
                if sms_gateway_delayed():
                    text = _(
                        "Votre demande a été correctement prise en compte. L'envoi des SMS est "
                        "momentanément retardé : votre nouvel identifiant vous sera envoyé par "
                        "SMS dès que possible. Votre ancien identifiant est déjà invalidé."
                    )
                else:
                    text = _(
                        "Votre demande a été correctement prise en compte. Un SMS vous a été "
                        "envoyé, vous le recevrez dans quelques minutes."
                    )
                messages.success(request, text)
                return redirect("portal:home")
        else:
            status = 400
    return render(
        request,
        "portal/replacement.html",
        _context(
            request,
            voter,
            form=form,
            window=win,
            left=left,
            allowed=replacement_rules.requests_allowed(),
            page_title=title,
        ),
        status=status,
    )
