"""Settings of the gunicorn server of the HTTP fault tests: the crashing children's settings
(the parent test's PostgreSQL databases, the fault point) served on 127.0.0.1."""

from faults_settings import *  # noqa: F403
from faults_settings import URNE_RATE_LIMITS

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DEBUG = False
# One client address posts every cast of the test.
URNE_RATE_LIMITS = {**URNE_RATE_LIMITS, "cast_address": (10**9, 60), "cast_voter": (10**9, 60)}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "CRITICAL"},
}
