"""Fault injection for the crash tests (tests/faults): the process kills itself with SIGKILL
at a named step of the cast. Off unless the setting ``URNE_CAST_FAULT`` names a step, which
only the fault tests' settings do (never base, dev or prod)."""

import os
import signal

from django.conf import settings

POINTS = ("claimed", "urn_written", "urn_committed", "voted")
_hits: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Kill this process at the ``URNE_CAST_FAULT_AFTER``-th time ``name`` is reached."""
    target = getattr(settings, "URNE_CAST_FAULT", "")
    if not target or target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= getattr(settings, "URNE_CAST_FAULT_AFTER", 1):
        os.write(2, f"FAULT {name}\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
