"""Single-use link tokens: 32 random bytes in the link, their SHA-256 in the database."""

import hashlib
import secrets


def token_new() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
