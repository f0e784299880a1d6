"""The seal of a national election on PostgreSQL (``make bench-seal``; figures in
docs/benchmarks.md): 290 scrutins, 1.1 M voters, about 4 M roll entries and 16 M public
credentials.

    .venv/bin/python bench/bench_seal.py [--voters 1100000] [--scrutins 290] [--spares 3]
                                         [--audit 100000] [--keep]

The fixture (not timed) is written straight into the three stores with COPY, in the shape the
real path leaves them: one national scrutin every voter is on, 30 académie scrutins and 101
département scrutins (each voter on one of each), and the rest shared out among 60 % of the
voters (about 3.6 roll entries per voter); each voter has 1 + ``--spares`` code slots and each
slot a public credential in each of the voter's scrutins (16 M at full scale); each scrutin
has 5 candidate lists with a 100 kB profession de foi each, and its urn's setup written by the
real ``urn_setup`` with real trustees' keys (a president and a 2-of-3 group). The public
credentials are synthetic: 64 hex digits, the SHA-256 of the scrutin and slot, not points of
the curve. The seal hashes them as the text they are stored as and never parses a point, so
what it costs is the same as for real credentials, which would take hours of scalar
multiplications to make. The audit log gets ``--audit`` chained events.

Then ``seal_manifest`` (what the president's computation and every check do) is timed, and
again (the same fingerprint), and the export written to a file and checked by
``urne-seal-check`` (timed too, for the expert's side).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PREFIX = "urne_bench_seal"


def _databases() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        for suffix in ("voters", "authority", "urn"):
            c.execute(f'DROP DATABASE IF EXISTS "{PREFIX}_{suffix}"')
            c.execute(f'CREATE DATABASE "{PREFIX}_{suffix}"')


def _copy(alias: str, table: str, columns: list[str], rows: object) -> None:
    """COPY ``rows`` (tuples of plain values) into ``table``, its unique and foreign-key
    constraints and its other indexes dropped during the load and made again after it (the
    fixture's time only; the seal reads the table as the real path leaves it)."""
    from django.db import connections

    def text(v: object) -> str:
        if v is None:
            return "\\N"
        return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor  # psycopg 3
        cols = ", ".join(columns)
        with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            block: list[str] = []
            for row in rows:  # type: ignore[attr-defined]
                block.append("\t".join(text(v) for v in row))
                if len(block) >= 50_000:
                    copy.write("\n".join(block) + "\n")
                    block = []
            if block:
                copy.write("\n".join(block) + "\n")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _next_id(alias: str, table: str) -> int:
    from django.db import connections

    with connections[alias].cursor() as c:
        c.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(c.fetchone()[0])


def _reset_sequence(alias: str, table: str) -> None:
    from django.db import connections

    with connections[alias].cursor() as c:
        c.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def fixture(*, voters: int, scrutins: int, spares: int, audit: int, media: Path) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from urne.audit.services import event_hash
    from urne.authority.setup import scrutin_election_json
    from urne.bureau.models import Bureau
    from urne.crypto.encoding import dumps
    from urne.elections.models import Body, CandidateList, Election, Scrutin, VoterCategory
    from urne.urn.services import urn_setup

    t0 = time.perf_counter()
    now = timezone.now()
    election = Election.objects.create(
        name="Élections professionnelles (banc d'essai)",
        style="2022",
        vote_opens=now + timedelta(days=2),
        vote_closes=now + timedelta(days=9),
        rolls_published_at=now,
    )
    Bureau.objects.create(election=election)
    category = VoterCategory.objects.create(election=election, name="Enseignants")
    bodies = {
        "national": Body.objects.create(
            election=election, code="CSA MEN", name="CSA ministériel", level="national"
        ),
        "academie": Body.objects.create(
            election=election, code="CSA A", name="CSA académique", level="academie"
        ),
        "departement": Body.objects.create(
            election=election, code="CAPD", name="CAPD", level="departement"
        ),
        "other": Body.objects.create(election=election, code="CCP", name="CCP", level="academie"),
    }
    plan = [("national", "")]
    plan += [("academie", f"A{i:02d}") for i in range(30)]
    plan += [("departement", f"{i:03d}") for i in range(101)]
    plan += [("other", f"O{i:03d}") for i in range(max(0, scrutins - len(plan)))]
    plan = plan[:scrutins]
    rows = []
    for level, perimeter in plan:
        rows.append(
            Scrutin(
                election=election,
                body=bodies[level],
                level={"other": "academie"}.get(level, level),
                perimeter=perimeter,
                titular_seats=5,
                substitute_seats=5,
            )
        )
    Scrutin.objects.bulk_create(rows)
    scrutin_rows = list(Scrutin.objects.filter(election=election).order_by("pk"))
    by_kind: dict[str, list[Scrutin]] = {
        "national": [],
        "academie": [],
        "departement": [],
        "other": [],
    }
    for s, (level, _p) in zip(scrutin_rows, plan, strict=True):
        by_kind[level].append(s)
    rnd = random.Random(7)
    pdf_dir = media / "professions_de_foi"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    lists = []
    for s in scrutin_rows:
        for n in range(5):
            name = f"professions_de_foi/{s.uuid}-{n}.pdf"
            (media / name).write_bytes(b"%PDF-1.4\n" + rnd.randbytes(100_000))
            lists.append(
                CandidateList(
                    scrutin=s, label=f"Liste {n + 1} – Union {n + 1}", profession_de_foi=name
                )
            )
    CandidateList.objects.bulk_create(lists)
    print(f"  elections, scrutins, lists: {time.perf_counter() - t0:.1f} s", flush=True)

    # Voters and their roll entries.
    t = time.perf_counter()
    first_voter = _next_id("default", "elections_voter")
    birth = date(1975, 1, 1)

    def voter_rows():
        for i in range(voters):
            yield (
                first_voter + i,
                election.pk,
                f"{i:013d}",
                "F" if i % 2 else "M",
                f"NOM{i}",
                f"Prénom{i % 977}",
                birth + timedelta(days=i % 9000),
                f"v{i}@ac.fr",
                category.pk,
                "",
                "",
                f"A{i % 30:02d}",
                f"{i % 101:03d}",
                "",
                "",
                now,
            )

    _copy(
        "default",
        "elections_voter",
        [
            "id",
            "election_id",
            "numen",
            "civility",
            "last_name",
            "first_name",
            "birth_date",
            "email",
            "category_id",
            "corps",
            "grade",
            "academie",
            "departement",
            "establishment",
            "mobile",
            "updated_at",
        ],
        voter_rows(),
    )
    others = by_kind["other"]

    def scrutins_of(i: int) -> list[Scrutin]:
        out = [by_kind["national"][0], by_kind["academie"][i % 30], by_kind["departement"][i % 101]]
        if others and i % 10 < 6:
            out.append(others[i % len(others)])
        return out

    _copy(
        "default",
        "elections_rollentry",
        ["scrutin_id", "voter_id"],
        ((s.pk, first_voter + i) for i in range(voters) for s in scrutins_of(i)),
    )
    _reset_sequence("default", "elections_voter")
    print(f"  voters and rolls: {time.perf_counter() - t:.1f} s", flush=True)

    # Code slots and public credentials (authority store).
    t = time.perf_counter()
    first_slot = _next_id("authority", "authority_codeslot")
    per_voter = 1 + spares
    _copy(
        "authority",
        "authority_codeslot",
        ["id", "election_id", "voter_id", "index", "status", "changed_at"],
        (
            (
                first_slot + i * per_voter + k,
                election.pk,
                first_voter + i,
                k,
                "active" if k == 0 else "spare",
                now,
            )
            for i in range(voters)
            for k in range(per_voter)
        ),
    )
    credentials: dict[str, list[str]] = {s.uuid: [] for s in scrutin_rows}

    def credential_rows():
        for i in range(voters):
            for s in scrutins_of(i):
                for k in range(per_voter):
                    slot = first_slot + i * per_voter + k
                    c = hashlib.sha256(f"{s.uuid}/{slot}".encode()).hexdigest()
                    credentials[s.uuid].append(c)
                    yield (slot, s.uuid, c)

    _copy(
        "authority",
        "authority_publiccredential",
        ["slot_id", "scrutin_uuid", "credential"],
        credential_rows(),
    )
    _reset_sequence("authority", "authority_codeslot")
    total = sum(len(v) for v in credentials.values())
    print(f"  {total:,} public credentials: {time.perf_counter() - t:.1f} s", flush=True)

    # Each urn's setup, through the urn's own service, with real trustees' keys.
    t = time.perf_counter()
    from urne.ceremony import SeededRandom, threshold_ceremony
    from urne.crypto.trustees import generate_single_key

    keys = SeededRandom("bench-seal")
    _key, tpk = generate_single_key(keys.scalar)
    president = dumps(tpk.to_json()).encode()
    threshold = dumps(threshold_ceremony(3, 2, keys).params.to_json()).encode()
    from urne.authority.setup import trustees_parse
    from urne.crypto.trustees import trustees_to_json

    trustees = trustees_parse(president=president, threshold=threshold)
    trustees_text = dumps(trustees_to_json(trustees))
    for s in Scrutin.objects.filter(election=election).select_related("election", "body"):
        creds = credentials.pop(s.uuid)
        creds.sort()
        urn_setup(
            scrutin_uuid=s.uuid,
            election=scrutin_election_json(scrutin=s, trustees=trustees),
            trustees=trustees_text,
            public_credentials=json.dumps(creds, separators=(",", ":")),
        )
    print(f"  urn setups: {time.perf_counter() - t:.1f} s", flush=True)

    # The audit log: chained events, as staff work leaves them.
    t = time.perf_counter()
    from urne.audit.models import AuditHead

    head, _ = AuditHead.objects.get_or_create(pk=1)
    prev, seq = head.last_hash, head.last_seq

    def audit_rows():
        nonlocal prev, seq
        for n in range(audit):
            seq += 1
            at = now.isoformat()
            data = {"n": n, "reason": "banc d'essai"}
            digest = event_hash(
                prev_hash=prev,
                seq=seq,
                at=at,
                actor_id=None,
                actor="bench",
                action="bench.event",
                object_type="",
                object_id="",
                data=data,
            )
            yield (seq, now, None, "bench", "bench.event", "", "", json.dumps(data), prev, digest)
            prev = digest

    _copy(
        "default",
        "audit_auditevent",
        [
            "seq",
            "at",
            "actor_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "data",
            "prev_hash",
            "hash",
        ],
        audit_rows(),
    )
    AuditHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    print(f"  {audit:,} audit events: {time.perf_counter() - t:.1f} s", flush=True)
    assert settings.MEDIA_ROOT
    return {"election": election, "credentials": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=1_100_000)
    parser.add_argument("--scrutins", type=int, default=290)
    parser.add_argument("--spares", type=int, default=3)
    parser.add_argument("--audit", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true", help="seal a kept fixture again")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-seal-"))
    if not args.reuse:
        _databases()
    os.environ.update(
        {
            "URNE_VAR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "urne.site.settings.dev",
            "URNE_DB": "postgres",
            "URNE_DB_PREFIX": PREFIX,
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if args.reuse:
        from urne.authority.models import PublicCredential
        from urne.bureau.models import Seal
        from urne.elections.models import Election

        election = Election.objects.get()
        Seal.objects.all().delete()
        built = {"election": election, "credentials": PublicCredential.objects.count()}
        settings.MEDIA_ROOT = os.environ["BENCH_MEDIA"]
    else:
        for alias in ("default", "authority", "urn"):
            call_command("migrate", database=alias, verbosity=0)
        print(f"fixture: {args.voters:,} voters, {args.scrutins} scrutins", flush=True)
        print(f"  media: {settings.MEDIA_ROOT} (BENCH_MEDIA for --reuse)", flush=True)
        built = fixture(
            voters=args.voters,
            scrutins=args.scrutins,
            spares=args.spares,
            audit=args.audit,
            media=Path(settings.MEDIA_ROOT),
        )
        for alias in ("default", "authority", "urn"):
            with connections[alias].cursor() as c:
                c.execute("VACUUM ANALYZE")  # what autovacuum does after the loads
    election = built["election"]

    from urne.bureau.seal import seal_manifest
    from urne.verify.seal import export_check

    figures: dict[str, object] = {
        "voters": args.voters,
        "scrutins": args.scrutins,
        "public_credentials": built["credentials"],
        "audit_events": args.audit,
    }
    start = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        first = prof.runcall(seal_manifest, election=election)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    else:
        first = seal_manifest(election=election)
    figures["seal_s"] = round(time.perf_counter() - start, 1)
    print(f"seal: {figures['seal_s']} s, fingerprint {first['fingerprint']}", flush=True)
    start = time.perf_counter()
    second = seal_manifest(election=election, audit_upto=first["meta"]["audit_upto"])
    figures["check_s"] = round(time.perf_counter() - start, 1)
    figures["same_fingerprint"] = first["fingerprint"] == second["fingerprint"]
    print(f"check (the same computation again): {figures['check_s']} s", flush=True)
    entries = {k: len(v) for k, v in first["components"].items()}
    figures["entries"] = entries
    from urne.bureau.seal import _digest, seal_sources

    per: dict[str, float] = {}
    for name, sources in seal_sources(
        election=election, audit_upto=first["meta"]["audit_upto"]
    ).items():
        start = time.perf_counter()
        for source in sources.values():
            _digest(source)
        per[name] = round(time.perf_counter() - start, 1)
    figures["seconds_per_component"] = per
    print(f"per component: {per}", flush=True)

    # The export and the outside check, timed for the expert's side.
    from django.utils import timezone

    from urne.bureau.models import Seal
    from urne.bureau.seal import seal_export

    seal = Seal.objects.create(
        election=election,
        fingerprint=first["fingerprint"],
        manifest=json.dumps(first),
        computed_at=timezone.now(),
    )
    path = tmp / "seal.zip"
    start = time.perf_counter()
    with path.open("wb") as out:
        seal_export(seal=seal, out=out, actor="bench")
    figures["export_s"] = round(time.perf_counter() - start, 1)
    figures["export_mb"] = round(path.stat().st_size / 1e6)
    start = time.perf_counter()
    report = export_check(path, expected=first["fingerprint"])
    figures["outside_check_s"] = round(time.perf_counter() - start, 1)
    figures["outside_check_ok"] = report.ok
    print(json.dumps(figures, indent=1), flush=True)
    if not args.keep:
        connections.close_all()
        _databases_drop()


def _databases_drop() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
        for suffix in ("voters", "authority", "urn"):
            c.execute(f'DROP DATABASE IF EXISTS "{PREFIX}_{suffix}"')


if __name__ == "__main__":
    main()
