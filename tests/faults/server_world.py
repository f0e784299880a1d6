"""A child process on the server's databases (faults_settings): ``make`` builds a voter
with a session and an open scrutin, migrating first when the stores are SQLite files, and
prints their JSON; ``check`` prints the scrutin's ballots in the urn and its émargements."""

import json
import sys
import time

import django

django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from factories.accounts import account_make  # noqa: E402
from factories.booth import ballot_make, cast_setup_make  # noqa: E402
from urne.accounts.session import ACCOUNT_KEY, HASH_KEY, SEEN_KEY, SINCE_KEY, session_hash  # noqa: E402
from urne.booth.models import Emargement  # noqa: E402
from urne.urn.models import UrnBallot  # noqa: E402


def make(ballots: int) -> dict[str, object]:
    if connections["default"].vendor == "sqlite":
        for alias in connections:
            call_command("migrate", database=alias, verbosity=0)
    setup = cast_setup_make(voters=1, lists=3, seed="server-world")
    voter, cs = setup.voters[0], setup.scrutins[0]
    account = account_make(voter)
    session = SessionStore()
    session[ACCOUNT_KEY], session[HASH_KEY] = account.pk, session_hash(account)
    session[SINCE_KEY] = session[SEEN_KEY] = int(time.time())
    session.create()
    return {
        "session": session.session_key,
        "scrutin": cs.scrutin.uuid,
        "ballots": [ballot_make(cs, voter.pk, k % 4) for k in range(ballots)],
    }


def check(scrutin: str) -> dict[str, object]:
    return {
        "trackers": list(
            UrnBallot.objects.using("urn")
            .filter(scrutin__uuid=scrutin)
            .values_list("tracker", flat=True)
        ),
        "emargements": list(
            Emargement.objects.filter(scrutin__uuid=scrutin).values_list("state", flat=True)
        ),
    }


if __name__ == "__main__":
    out = make(int(sys.argv[2])) if sys.argv[1] == "make" else check(sys.argv[2])
    print(json.dumps(out))
