"""Local development and `make demo`: DEBUG, SQLite files in var/ unless URNE_DB=postgres."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - dev settings never serve real elections
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# Voter mail goes to files under var/mail, shown by the DEBUG mailbox page
# (/backoffice/messagerie/boite/).
URNE_MAIL_CHANNEL = "urne.messaging.channels.FileChannel"
# SMS go to sealed files under var/sms (FileSmsChannel.messages() opens them).
URNE_SMS_CHANNEL = "urne.messaging.sms_channels.FileSmsChannel"

# SQLite files and uploads live in var/ (git-ignored); create it on first use.
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
