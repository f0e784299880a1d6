"""One phone number serves one voter only (seed 001: "Le même numéro ne peut servir qu'à 1
seul électeur-trice"; ADR 0610). The authority keeps, per election, an HMAC-SHA256 of each
number that received a new identifier, under a key derived from its own
``URNE_AUTHORITY_KEY``: no number, no part of one, is stored."""

import hashlib
import hmac

from django.db import IntegrityError, transaction

from .models import PhoneDigest
from .services import STORE, authority_key


def phone_digest(*, election_id: int, phone: str) -> str:
    """The keyed hash of an E.164 number (``+33612345678``) in an election."""
    key = hmac.new(authority_key(), b"urne.phone-digest", hashlib.sha256).digest()
    return hmac.new(key, f"{election_id}:{phone}".encode(), hashlib.sha256).hexdigest()


def phone_free(*, election_id: int, voter_id: int, phone: str) -> bool:
    """Whether ``phone`` may serve ``voter_id``: never used, or used by that voter already."""
    owner = (
        PhoneDigest.objects.filter(
            election_id=election_id, digest=phone_digest(election_id=election_id, phone=phone)
        )
        .values_list("voter_id", flat=True)
        .first()
    )
    return owner is None or owner == voter_id


def phone_claim(*, election_id: int, voter_id: int, phone: str) -> bool:
    """Record that ``phone`` serves ``voter_id``; False when another voter holds it (the
    unique digest decides between two voters claiming one number at once)."""
    digest = phone_digest(election_id=election_id, phone=phone)
    try:
        with transaction.atomic(using=STORE):
            row, _created = PhoneDigest.objects.get_or_create(
                election_id=election_id, digest=digest, defaults={"voter_id": voter_id}
            )
    except IntegrityError:
        row = PhoneDigest.objects.get(election_id=election_id, digest=digest)
    return row.voter_id == voter_id
