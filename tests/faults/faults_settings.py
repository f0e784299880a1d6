"""Settings of the crashing child processes: the test settings, the parent test's databases
(PostgreSQL; or SQLite files for the tests that run on both), and the fault point to die at
(the only place URNE_CAST_FAULT is ever set)."""

import json
import os

from urne.site.settings import base
from urne.site.settings.test import *  # noqa: F403
from urne.site.settings.test import DATABASES

for _alias, _name in json.loads(os.environ["URNE_FAULT_DBS"]).items():
    DATABASES[_alias]["NAME"] = _name
    DATABASES[_alias]["CONN_MAX_AGE"] = 0
    if DATABASES[_alias]["ENGINE"] == "django.db.backends.sqlite3":
        # Files shared by the processes, with a server's options (the test settings drop
        # them for their in-memory databases).
        DATABASES[_alias]["OPTIONS"] = base._databases()[_alias]["OPTIONS"]
        DATABASES[_alias].pop("TEST", None)

URNE_CAST_FAULT = os.environ.get("URNE_CAST_FAULT", "")
URNE_CAST_FAULT_AFTER = int(os.environ.get("URNE_CAST_FAULT_AFTER", "1"))
