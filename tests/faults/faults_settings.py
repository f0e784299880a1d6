"""Settings of the crashing child processes: the test settings, the parent test's PostgreSQL
databases, and the fault point to die at (the only place URNE_CAST_FAULT is ever set)."""

import json
import os

from urne.site.settings.test import *  # noqa: F403
from urne.site.settings.test import DATABASES

for _alias, _name in json.loads(os.environ["URNE_FAULT_DBS"]).items():
    DATABASES[_alias]["NAME"] = _name
    DATABASES[_alias]["CONN_MAX_AGE"] = 0

URNE_CAST_FAULT = os.environ.get("URNE_CAST_FAULT", "")
URNE_CAST_FAULT_AFTER = int(os.environ.get("URNE_CAST_FAULT_AFTER", "1"))
