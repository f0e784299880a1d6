"""A child process on the private cluster of the faults under load (surge_settings):

- ``migrate``: the three stores;
- ``make OUT VOTERS SCRUTINS``: an open election of VOTERS voters with SCRUTINS scrutins, a
  voter session each and every voter's ballot for each scrutin, written to OUT as JSON;
- ``recover``: the cast recovery sweep (``cast_recover``), as the task worker runs it;
- ``campaign ELECTION``: start the election's opening mail campaign (run in-process);
- ``sweep SECONDS``: the outbox's retry sweep, as the task worker runs it, every half second
  until nothing waits (or SECONDS passed); prints the outbox by template and state;
- ``check WORLD RECEIPTS``: the stores' invariants after the faults, for the world made in
  WORLD (RECEIPTS: the trackers answered 200, one a line); prints what it counted, exits 1
  with the reason if one fails."""

import json
import sys
import time
from collections import Counter
from pathlib import Path

import django

django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from factories.accounts import account_make  # noqa: E402
from factories.booth import ballot_make, cast_setup_make  # noqa: E402
from urne.accounts.services import TEMPLATE_OPENING  # noqa: E402
from urne.accounts.session import ACCOUNT_KEY, HASH_KEY, SEEN_KEY, SINCE_KEY, session_hash  # noqa: E402
from urne.booth.models import Emargement  # noqa: E402
from urne.elections.models import Election, Scrutin  # noqa: E402
from urne.messaging.models import OutboxMessage  # noqa: E402
from urne.messaging.services import campaign_start, outbox_retry_due  # noqa: E402
from urne.urn.models import UrnBallot, UrnScrutin  # noqa: E402
from urne.urn.selectors import urn_archive_bytes  # noqa: E402
from urne.verify.checks import verify_archive  # noqa: E402


def migrate() -> dict[str, object]:
    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    return {"migrated": True}


def make(out: str, voters: int, scrutins: int) -> dict[str, object]:
    setup = cast_setup_make(voters=voters, lists=3, scrutins=scrutins, seed="surge")
    stamp = int(time.time())
    sessions, tasks = [], []
    for k, v in enumerate(setup.voters):
        account = account_make(v)
        s = SessionStore()
        s[ACCOUNT_KEY], s[HASH_KEY] = account.pk, session_hash(account)
        s[SINCE_KEY] = s[SEEN_KEY] = stamp
        s.create()
        sessions.append(s.session_key)
        for cs in setup.scrutins:
            tasks.append(
                {"voter": k, "scrutin": cs.scrutin.uuid, "ballot": ballot_make(cs, v.pk, k % 4)}
            )
    world = {
        "election": setup.scrutins[0].scrutin.election_id,
        "sessions": sessions,
        "emails": [v.email for v in setup.voters],
        "scrutins": [cs.scrutin.uuid for cs in setup.scrutins],
        "tasks": tasks,
    }
    Path(out).write_text(json.dumps(world))
    return {"voters": voters, "casts": len(tasks)}


def recover() -> dict[str, object]:
    call_command("cast_recover", older_than=0, verbosity=0)
    return {"recovered": True}


def campaign(election_id: int) -> dict[str, object]:
    election = Election.objects.get(pk=election_id)
    c = campaign_start(actor="surge", election=election, template=TEMPLATE_OPENING)
    return {"campaign": c.pk}


def _outbox() -> dict[str, int]:
    return {
        f"{t}:{s}": n
        for (t, s), n in Counter(
            OutboxMessage.objects.values_list("template", "state")
        ).most_common()
    }


def sweep(seconds: float) -> dict[str, object]:
    end = time.monotonic() + seconds
    sweeps = 0
    waiting = OutboxMessage.objects.filter(
        state__in=(OutboxMessage.State.READY, OutboxMessage.State.SENDING)
    )
    while waiting.exists() and time.monotonic() < end:
        outbox_retry_due()
        sweeps += 1
        time.sleep(0.5)
    return {"sweeps": sweeps, "outbox": _outbox()}


def check(world_file: str, receipts_file: str) -> dict[str, object]:
    world = json.loads(Path(world_file).read_text())
    receipts = set(Path(receipts_file).read_text().split())
    voters = len(world["sessions"])
    failures = []
    if Emargement.objects.filter(state="pending").exists():
        failures.append("pending émargements left")
    if Emargement.objects.exclude(pending_tracker="").exists():
        failures.append("a tracker left next to a voter")
    in_urn = set(UrnBallot.objects.using("urn").values_list("tracker", flat=True))
    if not receipts <= in_urn:
        failures.append(f"{len(receipts - in_urn)} receipts answered 200 are not in the urn")
    counted = {}
    for scrutin in Scrutin.objects.filter(uuid__in=world["scrutins"]):
        uuid = scrutin.uuid
        ballots = UrnBallot.objects.using("urn").filter(scrutin__uuid=uuid)
        voted = Emargement.objects.filter(scrutin=scrutin, state="voted").count()
        credentials = len(set(ballots.values_list("credential", flat=True)))
        head = UrnScrutin.objects.using("urn").get(uuid=uuid).ballots
        n = ballots.count()
        counted[uuid] = {"ballots": n, "emargements": voted, "head": head}
        if not (n == voted == credentials == head == voters):
            failures.append(f"{uuid}: {n} ballots, {voted} émargements, head {head}")
        path = Path(receipts_file).with_name(f"{uuid}.bel")
        path.write_bytes(urn_archive_bytes(scrutin_uuid=uuid))
        report = verify_archive(str(path), jobs=1)
        if not report.valid or report.ballots != n:
            failures.append(f"{uuid}: archive {report.failures[:3]}")
    out = {"voters": voters, "receipts": len(receipts), "scrutins": counted, "outbox": _outbox()}
    if failures:
        print(json.dumps(out))
        sys.exit("; ".join(failures))
    return out


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    commands = {
        "migrate": migrate,
        "make": lambda: make(args[0], int(args[1]), int(args[2])),
        "recover": recover,
        "campaign": lambda: campaign(int(args[0])),
        "sweep": lambda: sweep(float(args[0])),
        "check": lambda: check(args[0], args[1]),
    }
    print(json.dumps(commands[command]()))
