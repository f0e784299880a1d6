"""The social security number (NIR) as the réassort may use it instead of the NUMEN, where an
election enables it (``Election.reassort_nir``, off by default; ADR 0652): only its first 10
characters (sex, year and month of birth, département and commune of birth), and only as a
keyed hash. The key, ``URNE_NIR_KEY``, lives in the environment, never in a store: without it
10 digits could be found from their hash by trying them all; with it the hash says nothing.
The hash is per election, so two elections' hashes of one person do not match. Neither the
number nor its first digits are kept, logged or repeated in a message.

One home for the rule: the voter import hashes with :func:`nir_digest`, the réassort compares
with :func:`nir_matches`."""

import hashlib
import hmac
import re

from django.conf import settings

#: The first 10 characters: sex (1, 2; 3, 4, 7, 8 for the provisional numbers), year, month
#: (01-12, 20 and more, or 99 where unknown), département (digits, or 2A / 2B for Corsica)
#: and commune of birth.
NIR10_RE = re.compile(r"^[1-478][0-9]{2}(?:0[1-9]|1[0-2]|[2-9][0-9])(?:[0-9]{2}|2[AB])[0-9]{3}$")
#: The whole number as an import may give it: the 10 above, the order number (3), the key (2).
NIR_LENGTHS = (10, 13, 15)
#: The key's shortest length.
KEY_MIN_CHARS = 32
_SPACES = re.compile(r"[\s.\-]")


class NirKeyMissing(Exception):
    """``URNE_NIR_KEY`` is not set (or too short): no NIR may be imported or compared."""


def nir_key_ready() -> bool:
    return len(getattr(settings, "URNE_NIR_KEY", "") or "") >= KEY_MIN_CHARS


def nir_first_ten(text: str) -> str | None:
    """The first 10 characters of a NIR typed or imported (spaces, dots and dashes ignored,
    10, 13 or 15 characters long), or None if it is not one."""
    compact = _SPACES.sub("", text).upper()
    first, rest = compact[:10], compact[10:]
    if len(compact) not in NIR_LENGTHS or (rest and not rest.isdigit()):
        return None
    return first if NIR10_RE.match(first) else None


def nir_digest(*, election_id: int, first_ten: str) -> str:
    """HMAC-SHA256 under ``URNE_NIR_KEY`` of the election and the 10 characters, in hex."""
    if not nir_key_ready():
        raise NirKeyMissing
    message = f"urne-nir-v1|{election_id}|{first_ten}".encode()
    return hmac.new(settings.URNE_NIR_KEY.encode(), message, hashlib.sha256).hexdigest()


def nir_matches(*, election_id: int, typed: str, digest: str) -> bool:
    """Do the 10 characters the voter typed hash to the voter's imported ``digest``?"""
    first = nir_first_ten(typed)
    if not digest or first is None or not nir_key_ready():
        return False
    return hmac.compare_digest(nir_digest(election_id=election_id, first_ten=first), digest)
