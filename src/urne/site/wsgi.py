"""The WSGI entry gunicorn loads (production settings unless told otherwise). It runs the
system checks first and refuses to start on an error, as `manage.py` does: a placeholder
URNE_SECRET_KEY or URNE_AUTHORITY_KEY (urne.E001, urne.E300) or a proxy it would not believe
(urne.E022) stops the server instead of serving (ADR 0552)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.site.settings.prod")
application = get_wsgi_application()

from urne.site.checks import serving_refusals  # noqa: E402 - needs the apps loaded above

if refusals := serving_refusals():
    sys.stderr.write(
        "Urne refuses to serve: the system checks found errors.\n"
        + "".join(f"{m}\n" for m in refusals)
    )
    raise SystemExit(1)

from urne.site.restarts import log as _restart_log  # noqa: E402
from urne.site.restarts import restart_record  # noqa: E402

# The bureau's journal lists every restart during the vote; a store that cannot take the
# event does not stop the server (its health check says so: /readyz).
try:
    restart_record(process="web")
except Exception as exc:  # the database down at start: served anyway, /readyz tells
    _restart_log.warning("restart not recorded: %s", type(exc).__name__)
finally:
    # gunicorn loads this module in its master, then forks the workers (preload_app): a
    # connection left open here would be one socket shared by every worker, their
    # statements interleaved (found by `make bench-surge`). Each worker opens its own.
    from django.db import connections

    connections.close_all()
