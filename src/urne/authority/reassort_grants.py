"""The 2022 réassort (seed 004; ADRs 0650, 0651). A voter whose identity was checked (by
FranceConnect, or by the challenge answer and NUMEN) holds a single-use grant; with the
challenge, its link goes to a personal phone or address, neither kept. Using the grant
("Générer un code") revokes the active code, activates the next spare
(``services.credentials_replace``) and shows the new code once. The code is derived for that
one page and kept nowhere (ADR 0302); the grant keeps a salt and its token's digest: the token
is derived from the authority's key, so the SMS can be written at send time."""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from urne.accounts.tokens import token_digest
from urne.audit.services import audit_append

from .models import CredentialSet, ReassortGrant
from .services import STORE, authority_key, code_derive, credentials_replace


class GrantError(Exception):
    """Why a grant cannot be used: ``unknown``, ``used``, ``expired``, ``exhausted``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewCode:
    code: str
    index: int


def _token(salt: str) -> str:
    mac = hmac.new(authority_key(), b"urne-reassort-link:" + salt.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def reassort_grant_token(*, grant_id: int) -> str:
    """The token of grant ``grant_id`` again (for the SMS written at send time)."""
    grant = ReassortGrant.objects.using(STORE).get(pk=grant_id)
    return _token(grant.salt)


def reassort_grant_issue(*, voter: Any, via: str) -> tuple[ReassortGrant, str]:
    """A fresh grant for ``voter`` and its token (to keep in the session or put in a link's
    fragment), whose digest alone is stored. Audited without the token."""
    salt = secrets.token_hex(16)
    raw = _token(salt)
    grant = ReassortGrant.objects.using(STORE).create(
        election_id=voter.election_id,
        voter_id=voter.pk,
        via=via,
        salt=salt,
        token_digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(seconds=settings.URNE_REASSORT_GRANT_SECONDS),
    )
    audit_append(
        actor=f"voter:{voter.pk}",
        action="reassort.granted",
        obj=voter,
        data={"via": via, "grant": grant.pk},
    )
    return grant, raw


def reassort_grant_state(*, digest: str) -> ReassortGrant:
    """The grant of ``digest`` if it may still be used, else GrantError."""
    grant = ReassortGrant.objects.using(STORE).filter(token_digest=digest).first()
    if grant is None:
        raise GrantError("unknown")
    if grant.used_at is not None:
        raise GrantError("used")
    if grant.expires_at <= timezone.now():
        raise GrantError("expired")
    return grant


def reassort_code_generate(*, digest: str, voter: Any) -> NewCode:
    """Use the grant: replace ``voter``'s code and return the new one, once. A grant is
    someone's: another voter's grant is "unknown" to this one. Used or not, nothing of the
    code is stored."""
    with transaction.atomic(using=STORE):
        grant = reassort_grant_state(digest=digest)
        if grant.voter_id != voter.pk:
            raise GrantError("unknown")
        # Claimed first (a second tab using the same grant finds it used), then spent.
        claimed = (
            ReassortGrant.objects.using(STORE)
            .filter(pk=grant.pk, used_at=None)
            .update(used_at=timezone.now())
        )
        if not claimed:
            raise GrantError("used")
        try:
            slot = credentials_replace(
                voter=voter, actor=f"voter:{voter.pk}", reason=f"réassort ({grant.via})"
            )
        except ValidationError as exc:
            raise GrantError("exhausted") from exc
    cset = CredentialSet.objects.using(STORE).get(election_id=voter.election_id)
    return NewCode(
        code=code_derive(credential_set=cset, voter_id=voter.pk, index=slot.index),
        index=slot.index,
    )
