"""A restart of the web service is an intervention the bureau is told of (issue "polling
station, part 2": the journal lists every restart during the vote). The WSGI entry records
one audit event per election whose vote is under way when a server process starts; the
bureau's journal shows it (``system.restart``, ``data["election"]``)."""

import logging
import os
import socket
from datetime import datetime

from django.utils import timezone

log = logging.getLogger(__name__)


def restart_record(*, process: str, now: datetime | None = None) -> int:
    """Record that ``process`` started, once per election in its voting phase; returns how
    many events were written. The host and process id say which server restarted."""
    from urne.audit.services import audit_append
    from urne.elections.calendar import Phase, election_phase
    from urne.elections.models import Election

    now = now or timezone.now()
    written = 0
    for election in Election.objects.filter(vote_opens__lte=now):
        if election_phase(election, now) != Phase.VOTE:
            continue
        audit_append(
            actor="system",
            action="system.restart",
            data={
                "election": election.pk,
                "process": process,
                "host": socket.gethostname(),
                "pid": os.getpid(),
            },
        )
        written += 1
    return written
