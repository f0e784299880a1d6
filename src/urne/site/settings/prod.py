"""Production: every secret comes from the environment; urne.site.checks refuses placeholders
(under `manage.py` and at the WSGI entry gunicorn loads). HTTPS only, behind a TLS proxy
named in URNE_TRUSTED_PROXIES (docs/deployment.md)."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("URNE_SECRET_KEY", "placeholder-not-a-secret")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HTTPS only: plain HTTP is redirected, and browsers are told for a year to use nothing else,
# on every subdomain, and may list the domain as HTTPS-only (ADR 0551).
SECURE_SSL_REDIRECT = True
# The monitoring probes may ask a web process directly, past the proxy (docs/operations.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind the TLS proxy (the default): its X-Forwarded-Proto says whether the client used HTTPS
# and its X-Forwarded-For says who the client is; URNE_TRUSTED_PROXIES must name it (E022).
# A server facing the clients itself (URNE_BEHIND_PROXY=0) believes neither header.
URNE_BEHIND_PROXY = os.environ.get("URNE_BEHIND_PROXY", "1") != "0"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if URNE_BEHIND_PROXY else None
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
URNE_REFUSE_PLACEHOLDER_SECRETS = True

# The cache holds only the notices' progress for the back office now (rate limits count in
# their own table, ADR 0335); it must still be shared by every process. The database cache
# needs no extra server (`manage.py createcachetable`, run by the deployment after `migrate`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "urne_cache",
    }
}
