"""FranceConnect, the 2022 réassort's second path (seed 004; ADR 0650): OpenID Connect's
authorisation code flow with PKCE (S256), ``state`` and ``nonce``, the eIDAS level asked as
``acr_values`` and checked in the ID token, then the identity claims from the userinfo
endpoint, matched to exactly one voter of the election.

The relying party is Authlib's (a maintained library): it keeps ``state``, ``nonce`` and the
PKCE verifier in the session, single use, checks the ID token's signature against the
provider's keys, its issuer, audience, expiry and nonce. What is ours: the level check, the
identity match, and turning every failure into one named refusal (never a 500).
"""

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from urne.elections.models import Election, Voter

from .models import FranceConnectNonce

log = logging.getLogger(__name__)

SCOPES = "openid given_name family_name birthdate gender birthplace birthcountry"
#: The eIDAS levels, weakest first: an identity given below the level asked is refused.
ACR_LEVELS = ("eidas1", "eidas2", "eidas3")
_NAME = "franceconnect"


class FranceConnectError(Exception):
    """A refused return from FranceConnect; ``code`` names why (see ``REFUSALS`` in the
    view): ``cancelled``, ``state``, ``pkce``, ``token``, ``nonce``, ``acr``, ``claims``,
    ``unavailable``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Identity:
    given_name: str
    family_name: str
    birthdate: date
    gender: str


def franceconnect_enabled() -> bool:
    conf = settings.URNE_FRANCECONNECT
    return bool(conf["issuer"] and conf["client_id"])


def _client() -> Any:
    from authlib.integrations.django_client import OAuth

    conf = settings.URNE_FRANCECONNECT
    oauth = OAuth()
    return oauth.register(
        name=_NAME,
        client_id=conf["client_id"],
        client_secret=conf["client_secret"],
        authorize_url=conf["authorize_url"],
        access_token_url=conf["token_url"],
        userinfo_endpoint=conf["userinfo_url"],
        jwks_uri=conf["jwks_url"],
        issuer=conf["issuer"],
        id_token_signing_alg_values_supported=["RS256", "ES256"],
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_post",
            "timeout": conf["timeout"],
        },
    )


def franceconnect_start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Redirect to FranceConnect; Authlib keeps state, nonce and PKCE verifier in the
    session."""
    return _client().authorize_redirect(
        request,
        redirect_uri,
        nonce=secrets.token_urlsafe(32),
        acr_values=settings.URNE_FRANCECONNECT["acr"],
    )


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    """The session's record of the flow ``state`` names (None: unknown or already used)."""
    state = request.GET.get("state", "")
    if not state or len(state) > 256:
        return None
    found = request.session.get(f"_state_{_NAME}_{state}")
    return found.get("data") if isinstance(found, dict) else None


def franceconnect_finish(request: HttpRequest) -> Identity:
    """The return from FranceConnect, checked; the identity it gives, or FranceConnectError."""
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    if request.GET.get("error"):
        raise FranceConnectError("cancelled")
    pending = _pending(request)
    if pending is None:
        raise FranceConnectError("state")
    if not pending.get("code_verifier"):
        raise FranceConnectError("pkce")
    client = _client()
    try:
        token = client.authorize_access_token(request)
    except MismatchingStateError as exc:
        raise FranceConnectError("state") from exc
    except OAuthError as exc:  # the provider refused the code (or its verifier)
        log.info("FranceConnect token refused: %s", exc.error)
        raise FranceConnectError("token") from exc
    except RequestException as exc:
        raise FranceConnectError("unavailable") from exc
    except (AuthlibBaseError, JoseError, ValueError) as exc:  # a bad key, issuer, nonce…
        log.info("FranceConnect ID token refused: %s", type(exc).__name__)
        raise FranceConnectError("token") from exc
    claims = token.get("userinfo") or {}
    _nonce_spend(str(claims.get("nonce", "")))
    asked = settings.URNE_FRANCECONNECT["acr"]
    given = claims.get("acr")
    if given not in ACR_LEVELS or ACR_LEVELS.index(given) < ACR_LEVELS.index(asked):
        raise FranceConnectError("acr")
    try:
        info = client.userinfo(token=token)
    except RequestException as exc:
        raise FranceConnectError("unavailable") from exc
    except (AuthlibBaseError, JoseError, ValueError) as exc:
        raise FranceConnectError("claims") from exc
    if info.get("sub") != claims.get("sub"):
        raise FranceConnectError("claims")
    return _identity(info)


def _nonce_spend(nonce: str) -> None:
    """An ID token's nonce is accepted once, ever (its digest kept): an ID token replayed
    into another flow fails here even if its state were somehow accepted."""
    if not nonce:
        raise FranceConnectError("nonce")
    digest = hashlib.sha256(nonce.encode()).hexdigest()
    try:
        with transaction.atomic():
            FranceConnectNonce.objects.create(digest=digest)
    except IntegrityError as exc:
        raise FranceConnectError("nonce") from exc


def _identity(info: dict[str, Any]) -> Identity:
    try:
        born = date.fromisoformat(str(info["birthdate"]))
        given, family = str(info["given_name"]), str(info["family_name"])
    except (KeyError, ValueError) as exc:
        raise FranceConnectError("claims") from exc
    if not given.strip() or not family.strip() or len(given) > 200 or len(family) > 200:
        raise FranceConnectError("claims")
    return Identity(given, family, born, str(info.get("gender", "")))


def _fold(name: str) -> str:
    """A name compared as the civil registry writes it: accents, case, hyphens, apostrophes
    and repeated spaces aside ("Le Roux-Bénard" = "LE ROUX BENARD")."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    for mark in "-'’":
        plain = plain.replace(mark, " ")
    return " ".join(plain.split())


def identity_voters(*, election: Election, identity: Identity) -> list[Voter]:
    """The election's voters whose birth date, family name and first name are the
    identity's. FranceConnect gives the birth family name and every given name, in civil
    order; the roll holds the usual first name: it must be the first given name(s), whole
    words ("Jean-Pierre" matches "Jean-Pierre Marie", not "Jean Marie")."""
    family = _fold(identity.family_name)
    given = _fold(identity.given_name)

    def first_names(first: str) -> bool:
        return given == first or given.startswith(first + " ")

    return [
        v
        for v in Voter.objects.filter(election=election, birth_date=identity.birthdate)
        if _fold(v.last_name) == family and first_names(_fold(v.first_name))
    ]
