"""The one home of absolute links: every e-mail, SMS and PDF that points back to the platform
builds its address here, from the ``URNE_PUBLIC_URL`` setting, never from the request (whose
Host header a client chooses, and which a worker sending later does not have)."""

from django.conf import settings


def public_url(path: str) -> str:
    """``path`` (as ``reverse`` gives it, with its query or fragment) under the public address."""
    return settings.URNE_PUBLIC_URL.rstrip("/") + "/" + path.lstrip("/")
