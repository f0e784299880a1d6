"""The booth pages (ADR 0303): one page holds the whole vote (code entry, scrutins, lists,
confirmation, receipt) so that the vote code stays in that page's memory: it is never sent,
never stored, and leaves with the page. The server only sees derived public credentials,
which the authority confirms (``code_confirm``), then the signed ballots (``booth:cast``)."""

import logging
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from urne.accounts.decorators import voter_login_required
from urne.accounts.forms import CaptchaFormMixin
from urne.accounts.secret_failures import captcha_asked
from urne.accounts.selectors import current_account, current_voter
from urne.accounts.services import AccountError, account_authenticate
from urne.elections.calendar import vote_refusal
from urne.elections.models import Election, Style, Voter
from urne.site.parsing import InputError, json_body, json_endpoint, refusal_json, text
from urne.site.ratelimit import client_address, rate_limited

from .selectors import booth_scrutins
from .services import vote_code_confirm

log = logging.getLogger(__name__)

CAPTCHA_PURPOSE = "votecode"
MAX_BODY = 16 * 1024
#: The accounts forms' limit (no policy accepts more); it also bounds the hash's work.
MAX_PASSWORD = 256

ERRORS: dict[str, tuple[int, Any]] = {
    "wrong_code": (
        403,
        gettext_lazy(
            "Ce code de vote est inconnu. Vérifiez-le sur votre notice de vote et saisissez-le "
            "à nouveau."
        ),
    ),
    "revoked": (
        403,
        gettext_lazy(
            "Ce code de vote a été remplacé et n'est plus valable. Saisissez votre dernier "
            "code de vote."
        ),
    ),
    "captcha": (
        400,
        gettext_lazy("Le CAPTCHA saisi est incorrect. Un nouveau code vous est proposé."),
    ),
    "bad_password": (403, gettext_lazy("Identifiant électeur ou mot de passe incorrect.")),
    "captcha_asked": (
        400,
        gettext_lazy(
            "Pour protéger votre compte après des essais infructueux, un CAPTCHA est demandé : "
            "rechargez la page, puis saisissez à nouveau votre code et le CAPTCHA."
        ),
    ),
    "not_open": (403, gettext_lazy("Le vote n'est pas encore ouvert.")),
    "closed": (403, gettext_lazy("Le vote est clos.")),
    "bad_request": (
        400,
        gettext_lazy("La demande envoyée par votre navigateur est incomplète. Rechargez la page."),
    ),
    "rate_limited": (
        429,
        gettext_lazy("Trop de tentatives en peu de temps. Patientez quelques minutes."),
    ),
    "not_logged_in": (401, gettext_lazy("Votre session a expiré. Reconnectez-vous.")),
}


class VoteCodeForm(CaptchaFormMixin):
    """2022 style: only the CAPTCHA is ever posted; the code field is drawn by the template
    without a name, so no browser can send it."""

    captcha_purpose = CAPTCHA_PURPOSE


class IdentifierForm(VoteCodeForm):
    """2018 style (seed 001, "Espace de vote"): identifier (the code) and password, checked by
    the accounts service; the CAPTCHA only after failures on the account's secrets
    (`secret_failures.captcha_asked`, ADR 0500)."""

    def __init__(self, *args: Any, captcha_asked: bool, **kwargs: Any) -> None:
        self.captcha_required = captcha_asked
        super().__init__(*args, **kwargs)


def _form(election: Election, request: HttpRequest, data: Any = None) -> VoteCodeForm:
    if election.style == Style.S2018:
        asked = captcha_asked(account=current_account(request), address=client_address(request))
        return IdentifierForm(data, request=request, captcha_asked=asked)
    return VoteCodeForm(data, request=request)


def _window(election: Election, now: datetime) -> str:
    """The entry page's state: before, open or after the vote (`calendar.vote_refusal`)."""
    refused = vote_refusal(election=election, now=now)
    return {None: "open", "not_open": "before"}.get(refused, "after")


def _texts() -> dict[str, str]:
    """The booth script's words, translated here (the script holds no language)."""
    return {
        "voted": _("Vote enregistré"),
        "pending": _("Vote en cours d'enregistrement"),
        "todo": _("À voter"),
        "not_ready": _("Pas encore ouvert au vote"),
        "vote": _("Voter à ce scrutin"),
        "blank": _("Vote blanc"),
        "pdf": _("profession de foi (PDF, nouvelle fenêtre)"),
        "presented_by": _("Liste présentée par :"),
        "candidates": _("Voir les candidats de la liste ({n})"),
        "blank_help": _("Vous ne choisissez aucune liste ; votre vote est compté comme blanc."),
        "or": _("ou"),
        "chosen": _("Vous avez choisi :"),
        "scrutin": _("Scrutin :"),
        "checking": _("Vérification de votre code…"),
        "encrypting": _("Chiffrement et envoi de votre bulletin…"),
        "code_required": _("Saisissez votre code de vote."),
        "password_required": _("Saisissez votre mot de passe personnel électeur."),
        "network": _("La connexion au serveur a échoué. Vérifiez votre connexion puis réessayez."),
        "cast_network": _(
            "La connexion a été interrompue pendant l'envoi de votre bulletin. Il a peut-être "
            "été enregistré : cliquez à nouveau sur « Je confirme mon vote » pour renvoyer le "
            "même bulletin, il ne sera compté qu'une fois."
        ),
        "all_voted": _("Vous avez voté à tous vos scrutins. Merci de votre participation."),
        "accepted": _("Code de vote accepté."),
    }


@require_GET
@voter_login_required
def entry(request: HttpRequest) -> HttpResponse:
    voter: Voter = request.voter  # type: ignore[attr-defined]
    election = voter.election
    window = _window(election, timezone.now())
    form = _form(election, request)
    scrutins = booth_scrutins(voter) if window == "open" else []
    return render(
        request,
        "booth/booth.html",
        {
            "election": election,
            "portal_voter": voter,
            "style": election.style,
            "window": window,
            "form": form,
            "scrutins": scrutins,
            "ready": any(s["election"] for s in scrutins),
            "confirm_url": reverse("booth:code_confirm"),
            "cast_url": reverse("booth:cast"),
            "crumbs": [],
            "texts": _texts(),
        },
    )


def _error(code: str, **extra: Any) -> JsonResponse:
    status, message = ERRORS[code]
    return JsonResponse(
        {"ok": False, "code": code, "message": str(message), **extra}, status=status
    )


def _new_captcha(request: HttpRequest) -> dict[str, str]:
    form = VoteCodeForm(request=request)
    challenge = form.captcha_challenge
    if challenge is None:
        return {}
    return {"captcha_image": challenge.image_url, "captcha_audio": challenge.audio_url}


@json_endpoint
@require_POST
def code_confirm(request: HttpRequest) -> JsonResponse:
    """POST ``{"credentials": {uuid: public credential hex}, "captcha": …, "password": …}``:
    the authority confirms these are the voter's active credentials. Rate-limited per
    address; per voter, wrong codes and passwords bring the CAPTCHA (ADR 0500). The CAPTCHA
    (2022 style; 2018 after failures) and the password (2018 style) are checked first."""
    voter = current_voter(request)
    if voter is None:
        return _error("not_logged_in")
    address = client_address(request)
    if rate_limited(hits={"votecode_address": address}):
        return _error("rate_limited")
    refused = vote_refusal(election=voter.election, now=timezone.now())
    if refused:
        return _error(refused)
    try:
        # {"credentials": {uuid: hex}, …}: two levels (ADR 0520).
        payload = json_body(request, max_bytes=MAX_BODY, max_depth=2)
        creds = payload.get("credentials") if isinstance(payload, dict) else None
        if not isinstance(creds, dict):
            return _error("bad_request")
        for uuid, cred in creds.items():
            text(uuid, max_length=64)
            text(cred, max_length=64)
        captcha = text(payload.get("captcha", ""), max_length=64)
        password = text(payload.get("password", ""), max_length=MAX_PASSWORD)
    except InputError as exc:
        return refusal_json(exc)
    form = _form(voter.election, request, {"captcha": captcha})
    if form.captcha_on and not form.is_valid():
        if isinstance(form, IdentifierForm) and not captcha:
            # Asked since the page was drawn (failures meanwhile): the page has no CAPTCHA yet.
            return _error("captcha_asked")
        return _error("captcha", **_new_captcha(request))
    if voter.election.style == Style.S2018:
        account = current_account(request)
        try:
            if account is None:
                raise AccountError("bad_password")
            # No re-hash here: it would change the hash this session is bound to (ADR 0206).
            account_authenticate(
                account=account,
                password=password,
                rehash=False,
                address=address,
                success_counts=False,  # the entry succeeds with the code (vote_code_confirm)
            )
        except AccountError:
            return _error("bad_password")
    outcome = vote_code_confirm(voter=voter, credentials=creds)
    if outcome.refusal == "no_scrutin":
        return _error("bad_request")
    if outcome.refusal:
        return _error(outcome.refusal, **_new_captcha(request))
    return JsonResponse(
        {
            "ok": True,
            "confirmed": outcome.confirmed,
            "message": _("Code de vote accepté."),
        }
    )
