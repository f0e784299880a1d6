"""The test suite: fast hashing, tasks run in-process, files in a temporary folder."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-not-secret"  # noqa: S105 - test settings never serve real elections
ALLOWED_HOSTS = ["testserver", "localhost"]
# Argon2 costs ~50 ms a hash by design; tests hash many passwords, so they use a fast hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = Path(tempfile.gettempdir()) / "urne-test-media"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # In-memory test databases: one set per xdist worker, nothing left on disk.
        _db["TEST"] = {"NAME": None}
        _db.pop("OPTIONS", None)
# CAPTCHA off for the suite; tests that exercise it turn it back on (only here may it be off).
URNE_CAPTCHA_ENABLED = False
URNE_MAIL_CHANNEL = "urne.messaging.channels.MemoryChannel"
URNE_MAIL_RATE_PER_SECOND = 10_000.0
URNE_SMS_CHANNEL = "urne.messaging.sms_channels.MemorySmsChannel"
URNE_SMS_RATE_PER_SECOND = 10_000.0
