"""Where an SMS goes until the gateway takes it (ADR 0601): the number the voter typed is
sealed (AES-256-GCM under a key derived from `URNE_AUTHORITY_KEY`, bound to the voter and the
kind of message) on the outbox row, and erased from it once the gateway has accepted the
message or the message can no longer be sent. Never stored or logged in clear."""

import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# E.164: "+", a country code and the subscriber's number, 8 to 15 digits in all.
PHONE_RE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_NONCE = 12


class RecipientError(ValueError):
    """A number that is not in international form, or a seal that does not open."""


def _key() -> AESGCM:
    key = hmac.new(
        settings.URNE_AUTHORITY_KEY.encode(), b"urne.sms-recipient", hashlib.sha256
    ).digest()
    return AESGCM(key)


def _bound(voter_id: int, kind: str) -> bytes:
    return f"urne.sms|{voter_id}|{kind}".encode()


def recipient_seal(phone: str, *, voter_id: int, kind: str) -> bytes:
    """The number sealed for the outbox row of ``voter_id``'s ``kind`` message."""
    if not PHONE_RE.match(phone):
        raise RecipientError("the number must be in international form (+33612345678)")
    nonce = os.urandom(_NONCE)
    return nonce + _key().encrypt(nonce, phone.encode(), _bound(voter_id, kind))


def recipient_open(sealed: bytes, *, voter_id: int, kind: str) -> str:
    """The number back, at send time; a seal from another row (or key) does not open."""
    sealed = bytes(sealed)
    try:
        plain = _key().decrypt(sealed[:_NONCE], sealed[_NONCE:], _bound(voter_id, kind))
    except (InvalidTag, ValueError) as error:
        raise RecipientError("the sealed number does not open") from error
    return plain.decode()
