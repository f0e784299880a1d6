"""The 2022 réassort of the vote code (seed 004): the choice of a path, FranceConnect there
and back, then "Générer un code", which shows the new code once. Views parse, call one
service, render; the rules are in ``accounts.franceconnect`` (the identity and its match)
and ``authority.reassort_grants`` (the grant and the code)."""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from urne.accounts.decorators import voter_login_required
from urne.accounts.forms import LinkForm
from urne.accounts.franceconnect import (
    FranceConnectError,
    franceconnect_enabled,
    franceconnect_finish,
    franceconnect_start,
    identity_voters,
)
from urne.accounts.secret_failures import captcha_asked
from urne.accounts.tokens import token_digest
from urne.audit.services import audit_append
from urne.authority.models import ReassortGrant
from urne.authority.reassort_grants import GrantError, reassort_code_generate, reassort_grant_issue
from urne.elections.calendar import vote_refusal
from urne.elections.models import Style, Voter
from urne.messaging.selectors import sms_gateway_delayed
from urne.site.public_url import public_url
from urne.site.ratelimit import client_address, rate_limited

from .forms import ReassortChallengeForm
from .reassort import ChallengeError, challenge_identifier, reassort_challenge_submit

#: The session's key for the grant's digest (the grant's token itself is kept nowhere).
GRANT_KEY = "urne_reassort_grant"
#: The session's key for the voter's language while they are at FranceConnect.
LANGUAGE_KEY = "urne_reassort_language"

#: Every refusal of the réassort pages: (status, message).
REFUSALS: dict[str, tuple[int, Any]] = {
    "cancelled": (400, _("La connexion avec FranceConnect a été annulée.")),
    "state": (
        400,
        _(
            "Cette réponse de FranceConnect n'est pas celle attendue (lien déjà utilisé ou "
            "modifié). Recommencez depuis « Choix du réassort »."
        ),
    ),
    "pkce": (400, _("La vérification de la connexion FranceConnect a échoué. Recommencez.")),
    "token": (400, _("FranceConnect n'a pas confirmé votre identité. Recommencez.")),
    "nonce": (400, _("Cette réponse de FranceConnect a déjà été utilisée. Recommencez.")),
    "acr": (
        403,
        _(
            "Le niveau de garantie de l'identité donné par FranceConnect est insuffisant pour "
            "un réassort du code de vote."
        ),
    ),
    "claims": (400, _("FranceConnect n'a pas transmis votre identité complète.")),
    "unavailable": (
        503,
        _("FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes."),
    ),
    "no_match": (
        403,
        _(
            "L'identité donnée par FranceConnect ne correspond à aucun électeur de ce scrutin. "
            "Contactez l'assistance."
        ),
    ),
    "ambiguous": (
        403,
        _(
            "L'identité donnée par FranceConnect correspond à plusieurs électeurs : un réassort "
            "en ligne n'est pas possible. Contactez l'assistance."
        ),
    ),
    "other_voter": (
        403,
        _(
            "L'identité donnée par FranceConnect n'est pas celle de l'électeur connecté. "
            "Contactez l'assistance."
        ),
    ),
    "unknown": (400, _("Aucune demande de réassort en cours. Recommencez.")),
    "used": (400, _("Ce réassort a déjà servi : un seul code est généré par demande.")),
    "expired": (400, _("Cette demande de réassort a expiré. Recommencez.")),
    "exhausted": (
        403,
        _("Vous avez épuisé vos codes de remplacement. Contactez l'assistance."),
    ),
    "limited": (429, _("Trop de demandes de réassort. Réessayez plus tard.")),
    "no_answer": (
        403,
        _(
            "Votre compte n'a pas de question Défi (accès sans activation) : utilisez "
            "FranceConnect ou contactez l'assistance."
        ),
    ),
}

#: The challenge form's refusals, shown on the form (the voter corrects and sends again).
CHALLENGE_ERRORS: dict[str, tuple[str, Any]] = {
    "answer": (
        "answer",
        _("La réponse secrète ne correspond pas à celle que vous avez enregistrée."),
    ),
    "numen": ("numen", _("Ce NUMEN n'est pas le vôtre.")),
    "nir": (
        "nir",
        _("Ces 10 chiffres ne correspondent pas au numéro de sécurité sociale de votre dossier."),
    ),
    "send": (
        "email",
        _("Le message n'a pas pu être envoyé à cette adresse pour le moment. Réessayez."),
    ),
}


def _refusal(request: HttpRequest, voter: Voter, code: str) -> HttpResponse:
    audit_append(
        actor=f"voter:{voter.pk}", action="reassort.refused", obj=voter, data={"why": code}
    )
    status, message = REFUSALS[code]
    return render(
        request,
        "booth/reassort_refused.html",
        {"message": message, "portal_voter": voter, "election": voter.election, "crumbs": []},
        status=status,
    )


def _voter(request: HttpRequest) -> Voter:
    """The logged-in voter of a 2022 election during the vote; else 404 (no such page)."""
    voter: Voter = request.voter  # type: ignore[attr-defined]
    if voter.election.style != Style.S2022:
        raise Http404
    if vote_refusal(election=voter.election, now=timezone.now()) is not None:
        raise Http404
    return voter


def _limited(request: HttpRequest, voter: Voter) -> bool:
    return rate_limited(
        hits={"reassort_voter": f"v{voter.pk}", "reassort_address": client_address(request)}
    )


@require_GET
@voter_login_required
def choice(request: HttpRequest) -> HttpResponse:
    """ "Choix du réassort de votre code de vote" (seed 004)."""
    voter = _voter(request)
    account = getattr(request, "voter_account", None)
    return render(
        request,
        "booth/reassort_choice.html",
        {
            "portal_voter": voter,
            "election": voter.election,
            "franceconnect": franceconnect_enabled(),
            "activated": bool(account is not None and account.challenge_answer),
            "crumbs": [],
        },
    )


@require_GET
@voter_login_required
def franceconnect(request: HttpRequest) -> HttpResponse:
    voter = _voter(request)
    if not franceconnect_enabled():
        raise Http404
    if _limited(request, voter):
        return _refusal(request, voter, "limited")
    # FranceConnect knows one return address (the default language's); the voter's language
    # is kept for the pages after it.
    request.session[LANGUAGE_KEY] = translation.get_language()
    with translation.override(settings.LANGUAGE_CODE):
        back = public_url(reverse("booth:reassort_franceconnect_return"))
    return franceconnect_start(request, back)


@require_GET
@never_cache
@voter_login_required
def franceconnect_return(request: HttpRequest) -> HttpResponse:
    """The return from FranceConnect: the identity checked, matched to exactly one voter of
    the election, who must be the one logged in; then a grant for "Générer un code"."""
    voter = _voter(request)
    if not franceconnect_enabled():
        raise Http404
    try:
        identity = franceconnect_finish(request)
    except FranceConnectError as error:
        return _refusal(request, voter, error.code)
    found = identity_voters(election=voter.election, identity=identity)
    if len(found) != 1:
        return _refusal(request, voter, "no_match" if not found else "ambiguous")
    if found[0].pk != voter.pk:
        return _refusal(request, voter, "other_voter")
    _grant, token = reassort_grant_issue(voter=voter, via=ReassortGrant.Via.FRANCECONNECT)
    request.session[GRANT_KEY] = token_digest(token)
    with translation.override(request.session.pop(LANGUAGE_KEY, settings.LANGUAGE_CODE)):
        return redirect(reverse("booth:reassort_code"))


@require_http_methods(["GET", "POST"])
@never_cache
@voter_login_required
def code(request: HttpRequest) -> HttpResponse:
    """ "Générer un code": the button, then the new code, shown once."""
    voter = _voter(request)
    digest = request.session.get(GRANT_KEY, "")
    context: dict[str, Any] = {"portal_voter": voter, "election": voter.election, "crumbs": []}
    if not digest:
        return _refusal(request, voter, "unknown")
    if request.method == "GET":
        return render(request, "booth/reassort_code.html", context)
    if _limited(request, voter):
        return _refusal(request, voter, "limited")
    try:
        new = reassort_code_generate(digest=digest, voter=voter)
    except GrantError as error:
        return _refusal(request, voter, error.code)
    finally:
        request.session.pop(GRANT_KEY, None)
    # never_cache: "no-store", so that no cache and no back button shows the code again.
    return render(request, "booth/reassort_code.html", {**context, "new_code": new.code})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("answer", "numen", "nir", "phone", "email")
@voter_login_required
def challenge(request: HttpRequest) -> HttpResponse:
    """ "Demande de réassort du code de vote" (seed 004): answer, NUMEN, a personal channel."""
    voter = _voter(request)
    account = request.voter_account  # type: ignore[attr-defined]
    if not account.challenge_answer:
        return _refusal(request, voter, "no_answer")
    asked = captcha_asked(account=account, address=client_address(request))
    identifier = challenge_identifier(voter)
    form = ReassortChallengeForm(
        request.POST if request.method == "POST" else None,
        request=request,
        professional=voter.email,
        captcha_asked=asked,
        identifier=identifier,
    )
    context: dict[str, Any] = {
        "portal_voter": voter,
        "election": voter.election,
        "crumbs": [],
        "form": form,
        "question": account.get_challenge_question_display(),
        "identifier": identifier,
    }
    if form.is_bound and form.is_valid():
        if _limited(request, voter):
            return _refusal(request, voter, "limited")
        data = form.cleaned_data
        try:
            reassort_challenge_submit(
                voter=voter,
                account=account,
                answer=data["answer"],
                identifier=data[identifier],
                via=data["via"],
                destination=data["destination"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ChallengeError as error:
            field, message = CHALLENGE_ERRORS[error.code]
            form.add_error(field, message)
            if error.code == "answer":
                form.captcha_ask()
        else:
            return render(
                request,
                "booth/reassort_sent.html",
                {**context, "via": data["via"], "delayed": sms_gateway_delayed()},
            )
    return render(
        request, "booth/reassort_challenge.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@never_cache
def link(request: HttpRequest) -> HttpResponse:
    """The page the activation link opens. Its token is in the fragment (ADR 0532): the
    page's script posts it; its digest goes to the session, then "Générer un code" (after the
    portal's login if this browser is not logged in)."""
    form = LinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        request.session[GRANT_KEY] = token_digest(form.cleaned_data["lien"])
        return redirect("booth:reassort_code")
    return render(
        request, "booth/reassort_link.html", {"form": form}, status=400 if form.errors else 200
    )
