"""A key holder's private file wrapped under a passphrase (ADR 0721): scrypt, then AES-256-GCM.

The wrapped file is one line of canonical JSON::

    {"format":"urne-wrapped-key-1","kdf":"scrypt","n":131072,"r":8,"p":1,
     "salt":"<32 hex bytes>","cipher":"AES-256-GCM","nonce":"<12 hex bytes>",
     "name":"<the file's own name>","data":"<hex ciphertext ‖ 16-byte tag>"}

key = scrypt(NFC UTF-8 passphrase, salt, n, r, p, 32 bytes); the additional data is the
canonical JSON of every field but ``data`` (so a changed name or parameter fails to open);
the plaintext is the holder's file exactly (``.privkey``, ``.key`` or ``.dkey``). The page
(frontend/src/ceremony/keywrap.js) writes it and ``urne-trustee unwrap`` opens it.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .encoding import FormatError, JsonValue, dumps, expect_int, expect_object, expect_str, loads

FORMAT = "urne-wrapped-key-1"
#: scrypt's cost: 2^17 (128 MiB with r = 8), the common recommendation for files at rest.
DEFAULT_N = 2**17
#: Costs accepted when opening: below 2^14 is too weak to be ours, above 2^20 a denial.
MIN_N, MAX_N = 2**14, 2**20
_FIELDS = ("format", "kdf", "n", "r", "p", "salt", "cipher", "nonce", "name", "data")


class WrapError(ValueError):
    """The file is not a wrapped key, or the passphrase does not open it."""


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, maxmem=2 * 128 * n * r + 2**20, dklen=32
    )


def _header(n: int, r: int, p: int, salt: bytes, nonce: bytes, name: str) -> dict[str, JsonValue]:
    return {
        "format": FORMAT,
        "kdf": "scrypt",
        "n": n,
        "r": r,
        "p": p,
        "salt": salt.hex(),
        "cipher": "AES-256-GCM",
        "nonce": nonce.hex(),
        "name": name,
    }


def wrap(
    plaintext: str,
    passphrase: str,
    name: str,
    *,
    n: int = DEFAULT_N,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> str:
    """Wrap a private file's text under ``passphrase`` (fresh salt and nonce unless given)."""
    if not passphrase:
        raise WrapError("the passphrase is empty")
    salt = secrets.token_bytes(32) if salt is None else salt
    nonce = secrets.token_bytes(12) if nonce is None else nonce
    header = _header(n, 8, 1, salt, nonce, name)
    key = _key(passphrase, salt, n, 8, 1)
    data = AESGCM(key).encrypt(nonce, plaintext.encode(), dumps(header).encode())
    return dumps({**header, "data": data.hex()})


def is_wrapped(text: str) -> bool:
    """Whether a file's text looks like a wrapped key (to tell it from a plain one)."""
    return text.lstrip().startswith('{"format":"' + FORMAT + '"')


def unwrap(text: str, passphrase: str) -> tuple[str, str]:
    """Open a wrapped file: (its original name, its text); WrapError when it cannot."""
    try:
        obj = expect_object(loads(text.strip()), "wrapped key", _FIELDS)
        if obj.get("format") != FORMAT or obj.get("kdf") != "scrypt":
            raise WrapError("not an urne-wrapped-key-1 file")
        if obj.get("cipher") != "AES-256-GCM":
            raise WrapError("unknown cipher")
        n = expect_int(obj.get("n"), "n")
        r = expect_int(obj.get("r"), "r")
        p = expect_int(obj.get("p"), "p")
        salt = bytes.fromhex(expect_str(obj.get("salt"), "salt"))
        nonce = bytes.fromhex(expect_str(obj.get("nonce"), "nonce"))
        name = expect_str(obj.get("name"), "name")
        data = bytes.fromhex(expect_str(obj.get("data"), "data"))
    except (FormatError, ValueError) as exc:
        if isinstance(exc, WrapError):
            raise
        raise WrapError(f"not a wrapped key file: {exc}") from exc
    if not (MIN_N <= n <= MAX_N and n & (n - 1) == 0 and r == 8 and p == 1):
        raise WrapError("scrypt parameters out of range")
    if len(salt) != 32 or len(nonce) != 12:
        raise WrapError("salt or nonce of the wrong size")
    header = _header(n, r, p, salt, nonce, name)
    try:
        clear = AESGCM(_key(passphrase, salt, n, r, p)).decrypt(nonce, data, dumps(header).encode())
        return name, clear.decode()
    except (InvalidTag, UnicodeDecodeError) as exc:
        raise WrapError("wrong passphrase, or the file was altered") from exc
