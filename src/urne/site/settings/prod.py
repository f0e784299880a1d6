"""Production: every secret comes from the environment; urne.site.checks refuses placeholders."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("URNE_SECRET_KEY", "placeholder-not-a-secret")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
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
