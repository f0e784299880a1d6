"""The surge's world, built on the server's stores through the services (run under the
benchmark's settings, ``surge.settings``): the demo's national election (290 scrutins, the
"qui vote où" of its synthetic electorate) in the 2022 style with the vote open, its vote
codes and urns, every voter's account opened with one password hashed once by the production
hasher (Argon2id; every login still verifies it in full), and, for each voter, the ballots of
all their scrutins made beforehand, as the booth makes them (credential derived from the vote
code). ``world_make`` returns what the load generator needs, as JSON-able data."""

from __future__ import annotations

import os
import random
import time
from multiprocessing import Pool
from typing import Any

PASSWORD = "Surge-bench-2026-mot-de-passe"  # noqa: S105 - a benchmark's synthetic voters


def _ballot(job: tuple[str, str, int, str]) -> str:
    from urne.authority.codes import credential_of_code
    from urne.ceremony import make_ballot
    from urne.crypto.election import parse_election

    raw, code, choice, seed = job
    election = parse_election(raw)
    vector = [0] * election.questions[0].size
    vector[choice % len(vector)] = 1
    return make_ballot(election, credential_of_code(code), [vector], seed).to_string()


def world_make(*, voters: int, seed: int = 2018, log: Any = print) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from urne.accounts.models import VoterAccount
    from urne.accounts.services import accounts_prepare
    from urne.authority.demo import authority_demo
    from urne.authority.models import CredentialSet
    from urne.authority.services import code_derive
    from urne.elections.demo import demo_election_create
    from urne.elections.eligibility import voter_scrutins
    from urne.elections.models import CandidateList, Election, Voter
    from urne.urn.selectors import urn_election

    t0 = time.perf_counter()
    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    call_command("createcachetable", verbosity=0)
    election = Election.objects.order_by("pk").first()
    if election is None:
        election = demo_election_create(voters=voters, seed=seed, phase="vote").election
    election.style = "2022"
    election.save(update_fields=["style"])
    authority_demo(election=election, log=lambda line: None)
    log(f"world: election, codes and urns in {time.perf_counter() - t0:.0f} s")
    cset = CredentialSet.objects.get(election_id=election.pk, generated_at__isnull=False)
    # Voters who voted in an earlier run on the same databases (SURGE_KEEP_WORLD) are left out.
    people = list(
        Voter.objects.filter(election=election).exclude(emargements__isnull=False).order_by("pk")
    )
    accounts_prepare([v.pk for v in people])
    now = timezone.now()
    VoterAccount.objects.filter(election=election).update(
        password=make_password(PASSWORD), password_changed_at=now, activated_at=now,
        secret_failures=0,
    )  # fmt: skip
    pdfs: dict[int, list[int]] = {}
    for scrutin_id, list_id in (
        CandidateList.objects.filter(scrutin__election=election)
        .exclude(profession_de_foi="")
        .values_list("scrutin_id", "pk")
    ):
        pdfs.setdefault(scrutin_id, []).append(list_id)
    rng = random.Random(seed)
    raws: dict[str, str] = {}
    out, jobs = [], []
    for v in people:
        mine = []
        for s in voter_scrutins(v):
            if s.uuid not in raws:
                e = urn_election(scrutin_uuid=s.uuid)
                if e is None:
                    continue
                raws[s.uuid] = e.raw
            mine.append(s)
        if not mine:
            continue
        code = code_derive(credential_set=cset, voter_id=v.pk, index=0)
        first = mine[0]
        out.append(
            {
                "email": v.email.lower(),
                "code": code,
                "scrutins": [s.uuid for s in mine],
                "pdf": [first.uuid, pdfs[first.pk][0]] if pdfs.get(first.pk) else None,
            }
        )
        jobs += [(raws[s.uuid], code, rng.randrange(64), f"surge/{v.pk}/{s.uuid}") for s in mine]
    connections.close_all()  # no connection shared with the forked children
    with Pool(os.cpu_count() or 2) as pool:
        ballots = iter(pool.map(_ballot, jobs, chunksize=32))
    for voter in out:
        voter["ballots"] = [next(ballots) for _ in voter["scrutins"]]
    counts = [len(v["scrutins"]) for v in out]
    log(
        f"world: {len(out)} voters with {sum(counts)} ballots made beforehand "
        f"({min(counts)}-{max(counts)} scrutins each, mean {sum(counts) / len(counts):.2f}) "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    return {"password": PASSWORD, "voters": out, "boards": sorted(raws)}


def world_check() -> dict[str, int]:
    """After a run: ballots in the urns and émargements, in all (they must be equal)."""
    from django.db.models import Sum

    from urne.booth.models import Emargement
    from urne.urn.models import UrnScrutin

    ballots = UrnScrutin.objects.using("urn").aggregate(n=Sum("ballots"))["n"] or 0
    states = Emargement.objects.values_list("state", flat=True)
    return {
        "ballots": ballots,
        "emargements": sum(1 for s in states if s == Emargement.State.VOTED),
        "pending": sum(1 for s in states if s == Emargement.State.PENDING),
    }
