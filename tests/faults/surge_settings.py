"""Settings of the faults under load (test_surge_faults.py, bench/bench_faults.py): the gunicorn
server and the child processes on the test's private PostgreSQL cluster (URNE_DB_PORT, the
stores ``surge_*``), with production's connection handling (connections kept a minute,
health-checked: base settings), DEBUG off, rate limits out of the way (one client address
sends every request) and, when ``URNE_SMTP_PORT`` is set, real SMTP to the test's relay
with the outbox's retry timing of ``URNE_MAIL_RETRY_SECONDS``."""

import os

from urne.site.settings.test import *  # noqa: F403
from urne.site.settings.test import URNE_RATE_LIMITS

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEBUG = False
URNE_RATE_LIMITS = {name: (10**9, 60) for name in URNE_RATE_LIMITS}
if os.environ.get("URNE_SMTP_PORT"):
    URNE_MAIL_CHANNEL = "urne.messaging.channels.SmtpChannel"
    URNE_SMTP = {"host": "127.0.0.1", "port": int(os.environ["URNE_SMTP_PORT"]), "timeout": 5}
    URNE_MAIL_RETRY_SECONDS = float(os.environ.get("URNE_MAIL_RETRY_SECONDS", "30"))
    URNE_MAIL_RETRY_MAX_SECONDS = float(os.environ.get("URNE_MAIL_RETRY_MAX_SECONDS", "3600"))
    URNE_MAIL_MAX_ATTEMPTS = int(os.environ.get("URNE_MAIL_MAX_ATTEMPTS", "5"))
# Warnings and errors to the server's log, which the test reads: a 500 logs
# "Internal Server Error" there.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
