"""Voter account pages (seeds 000, 002, 003, 004). Views parse input, call one service, render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from urne.site.ratelimit import client_address, rate_limited

from . import services
from .captcha import (
    BENCH_ANSWER_HEADER,
    AudioUnavailable,
    captcha_png,
    captcha_wav,
    code_from_token,
)
from .forms import (
    ActivationForm,
    IdentifyForm,
    LinkForm,
    PasswordCreateForm,
    PasswordLoginForm,
    ResetRequestForm,
)
from .models import AccountToken, VoterAccount
from .secret_failures import captcha_asked
from .selectors import election_current
from .session import session_end, session_start
from .tokens import token_digest
from .validators import password_suggest, policy_rules

LOGIN_KEY = "urne_login_account"  # step 1 passed: the account whose password is asked
NEXT_KEY = "urne_login_next"
ACTIVATION_KEY = "urne_activation"  # 2022: {account, password hash} between steps 2 and 3

ERRORS = {
    "link_invalid": gettext_lazy(
        "Ce lien n'est pas valide. Vérifiez que vous avez copié le lien complet du courriel."
    ),
    "link_used": gettext_lazy(
        "Ce lien a déjà été utilisé : il ne peut servir qu'une fois. Saisissez votre adresse "
        "professionnelle sur la page de connexion pour en recevoir un nouveau."
    ),
    "link_expired": gettext_lazy(
        "Ce lien a expiré. Saisissez votre adresse professionnelle sur la page de connexion "
        "pour en recevoir un nouveau."
    ),
    "bad_password": gettext_lazy(
        "Mot de passe incorrect. Vérifiez les majuscules et les minuscules."
    ),
    "question_invalid": gettext_lazy("Veuillez choisir une question défi dans la liste."),
    "answer_empty": gettext_lazy("Veuillez saisir votre réponse secrète."),
    "answer_mismatch": gettext_lazy("Les deux réponses à la question défi ne sont pas identiques."),
}


def _error(code: str) -> str:
    return str(ERRORS[code])


def _home() -> str:
    try:
        return reverse(settings.URNE_VOTER_HOME)
    except NoReverseMatch:
        return "/"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return _home()


def _no_election(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/no_election.html", status=503)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _rate_limited_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/rate_limited.html", status=429)


def _posts_limited_per_address(
    limit: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse POSTs over the named limit, counted per client address, with a 429 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST" and rate_limited(
                hits={limit: "ip:" + client_address(request)}
            ):
                return _rate_limited_page(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- login ----------------------------------------------------------------------------------


@never_cache
@_posts_limited_per_address("identify_address")
def login(request: HttpRequest) -> HttpResponse:
    """Step 1 (seed 004, "Accès au portail Élections"): the identifier (+ CAPTCHA in 2022)."""
    election = election_current()
    if election is None:
        return _no_election(request)
    if request.GET.get("next"):
        request.session[NEXT_KEY] = request.GET["next"]
    form = IdentifyForm(request.POST or None, style=election.style, request=request)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        # Over the identifier's limit no more e-mail is sent, but the identification goes
        # on: anyone may type a voter's address, so refusing it would lock the voter out.
        mail = not rate_limited(hits={"identify_identifier": "id:" + email.lower()})
        result = services.account_identify(
            election=election, email=email, language=get_language() or "fr", mail=mail
        )
        if result.outcome == "password" and result.account is not None:
            request.session[LOGIN_KEY] = result.account.pk
            return redirect("accounts:login_password")
        return _render(request, "accounts/link_sent.html", {"election": election})
    return _render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "election": election,
            "expired": request.GET.get("expired") == "1",
        },
    )


@never_cache
@_posts_limited_per_address("password_address")
def login_password(request: HttpRequest) -> HttpResponse:
    """Step 2 (seed 004, "Saisie du mot de passe Élections"); after failures the CAPTCHA is
    asked too, the right password is never refused (ADR 0500)."""
    # No id in the session: 0, which no account has (ids start at 1).
    account = VoterAccount.objects.filter(pk=request.session.get(LOGIN_KEY) or 0).first()
    if account is None:
        return redirect("accounts:login")
    address = client_address(request)
    form = PasswordLoginForm(
        request.POST or None,
        request=request,
        style=account.election.style,
        captcha_asked=captcha_asked(account=account, address=address),
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_authenticate(
                account=account, password=form.cleaned_data["password"], address=address
            )
        except services.AccountError as error:
            form.add_error("password", _error(error.code))
            account.refresh_from_db(fields=["secret_failures"])
            if captcha_asked(account=account, address=address):
                form.captcha_ask()  # this failure made it required: the page shows it now
        else:
            target = _safe_next(request, request.session.pop(NEXT_KEY, None))
            request.session.pop(LOGIN_KEY, None)
            session_start(request, account)
            return redirect(target)
    return _render(
        request,
        "accounts/login_password.html",
        {"form": form, "identifier": account.email, "style": account.election.style},
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session_end(request)
    messages.success(request, _("Vous êtes déconnecté(e)."))
    return redirect("accounts:login")


# --- opening link, password creation, activation -----------------------------------------------


def _password_page(
    request: HttpRequest, *, account: VoterAccount, form: PasswordCreateForm, template: str
) -> HttpResponse:
    style = account.election.style
    return _render(
        request,
        template,
        {
            "form": form,
            "style": style,
            "rules": policy_rules(style),
            "suggestion": password_suggest(style),
            "identifier": account.email,
        },
        status=200 if not form.errors else 400,
    )


LINK_KEY = "urne_link"  # {purpose: token digest}: the token itself is kept nowhere


def link_enter(request: HttpRequest, token: str, purpose: str, target: str) -> HttpResponse:
    """A link's token, posted: keep only its digest in the session and go on to the form."""
    links = dict(request.session.get(LINK_KEY, {}))
    links[purpose] = token_digest(token)
    request.session[LINK_KEY] = links
    return redirect(target)


def _token_account(request: HttpRequest, purpose: str) -> VoterAccount | str:
    digest = request.session.get(LINK_KEY, {}).get(purpose)
    if not digest:
        return "link_invalid"
    try:
        return services.token_check(digest=digest, purpose=purpose).account
    except services.AccountError as error:
        return error.code


def _password_form_valid(form: PasswordCreateForm, account: VoterAccount) -> bool:
    if not form.is_valid():
        return False
    try:
        services.password_check_policy(
            account=account,
            password=form.cleaned_data["password"],
            confirmation=form.cleaned_data["confirmation"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error("password", message)
        return False
    return True


def _link_page(request: HttpRequest, purpose: str, target: str) -> HttpResponse:
    """The page an e-mailed link opens. The token is in the link's fragment, which the
    browser never sends (so no access log, Referer or proxy sees it): the page's script
    posts it, and without scripts the voter pastes the link into the form (ADR 0532)."""
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return link_enter(request, form.cleaned_data["lien"], purpose, target)
    return _render(
        request, "accounts/link.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
def opening_link(request: HttpRequest) -> HttpResponse:
    return _link_page(request, AccountToken.Purpose.OPENING, "accounts:opening_form")


@never_cache
def reset_link(request: HttpRequest) -> HttpResponse:
    return _link_page(request, AccountToken.Purpose.RESET, "accounts:reset_form")


@never_cache
@_posts_limited_per_address("password_address")
def opening(request: HttpRequest) -> HttpResponse:
    """The opening link: create the password (seed 002 "Création de mon mot de passe",
    seed 003 "Initialisation du mot de passe Élections")."""
    account = _token_account(request, AccountToken.Purpose.OPENING)
    if isinstance(account, str):
        return _render(request, "accounts/link_error.html", {"message": _error(account)}, 410)
    form = PasswordCreateForm(request.POST or None, request=request, style=account.election.style)
    if request.method == "POST" and _password_form_valid(form, account):
        try:
            account, hashed = services.opening_password(
                digest=request.session[LINK_KEY][AccountToken.Purpose.OPENING],
                password=form.cleaned_data["password"],
            )
        except services.AccountError as error:
            return _render(
                request, "accounts/link_error.html", {"message": _error(error.code)}, 410
            )
        if account.election.style == "2018":
            session_start(request, account)
            messages.success(request, _("Votre mot de passe personnel électeur a été créé."))
            return redirect(_home())
        request.session[ACTIVATION_KEY] = {"account": account.pk, "hash": hashed}
        return redirect("accounts:activation")
    return _password_page(request, account=account, form=form, template="accounts/opening.html")


@never_cache
@_posts_limited_per_address("activate")
def activation(request: HttpRequest) -> HttpResponse:
    """2022 step 3: challenge question + answer twice ("ACTIVER SON COMPTE"), or "ACCÈS SANS
    ACTIVATION": this visit only, nothing kept, the password to create again next time."""
    pending = request.session.get(ACTIVATION_KEY) or {}
    account = VoterAccount.objects.filter(pk=pending.get("account") or 0).first()
    if account is None:
        return redirect("accounts:login")
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and "sans_activation" in request.POST:
        request.session.pop(ACTIVATION_KEY, None)
        session_start(request, account)
        messages.info(
            request,
            _(
                "Accès sans activation : votre mot de passe Élections n'a pas été enregistré. "
                "Lors de votre prochaine connexion, vous serez de nouveau invité(e) à le créer."
            ),
        )
        return redirect(_home())
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_activate(
                account=account,
                password_hash=pending["hash"],
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                confirmation=form.cleaned_data["confirmation"],
            )
        except services.AccountError as error:
            form.add_error("confirmation", _error(error.code))
        else:
            request.session.pop(ACTIVATION_KEY, None)
            session_start(request, account)
            messages.success(request, _("Votre compte est activé."))
            return redirect(_home())
    return _render(
        request, "accounts/activation.html", {"form": form}, status=400 if form.errors else 200
    )


# --- forgotten password (seed 000) ---------------------------------------------------------------


@never_cache
@_posts_limited_per_address("reset_address")
def reset_request(request: HttpRequest) -> HttpResponse:
    election = election_current()
    if election is None:
        return _no_election(request)
    form = ResetRequestForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if rate_limited(hits={"reset_identifier": "id:" + email.lower()}):
            return _rate_limited_page(request)
        services.password_reset_request(
            election=election, email=email, language=get_language() or "fr"
        )
        return _render(request, "accounts/reset_sent.html", {"email": email})
    return _render(
        request, "accounts/reset_request.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@_posts_limited_per_address("password_address")
def reset(request: HttpRequest) -> HttpResponse:
    account = _token_account(request, AccountToken.Purpose.RESET)
    if isinstance(account, str):
        return _render(request, "accounts/link_error.html", {"message": _error(account)}, 410)
    form = PasswordCreateForm(request.POST or None, request=request, style=account.election.style)
    if request.method == "POST" and _password_form_valid(form, account):
        try:
            services.password_reset(
                digest=request.session[LINK_KEY][AccountToken.Purpose.RESET],
                password=form.cleaned_data["password"],
            )
        except services.AccountError as error:
            return _render(
                request, "accounts/link_error.html", {"message": _error(error.code)}, 410
            )
        return _render(request, "accounts/reset_done.html", {})
    return _password_page(request, account=account, form=form, template="accounts/reset.html")


# --- CAPTCHA media -------------------------------------------------------------------------------


@require_GET
def captcha_image(request: HttpRequest, token: str) -> HttpResponse:
    code = code_from_token(token)
    if code is None:
        raise Http404
    if rate_limited(hits={"captcha": "ip:" + client_address(request)}):
        return _rate_limited_page(request)
    response = HttpResponse(captcha_png(code), content_type="image/png")
    response["Cache-Control"] = "no-store"
    if settings.URNE_BENCH_CAPTCHA_ANSWERS:  # the benchmark's hook (ADR 0581; urne.E004)
        response[BENCH_ANSWER_HEADER] = code
    return response


@require_GET
def captcha_audio(request: HttpRequest, token: str) -> HttpResponse:
    code = code_from_token(token)
    if code is None:
        raise Http404
    if rate_limited(hits={"captcha": "ip:" + client_address(request)}):
        return _rate_limited_page(request)
    try:
        body = captcha_wav(code)
    except AudioUnavailable:
        return HttpResponse(
            _("L'audio est momentanément indisponible."), status=503, content_type="text/plain"
        )
    response = HttpResponse(body, content_type="audio/wav")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="captcha.wav"'
    return response
