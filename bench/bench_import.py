"""Voter import benchmark: rows/s of a first import and of a re-import (updates by NUMEN),
on SQLite and on PostgreSQL, with the synthetic electorate of the demo (1.1 M rows default).

    .venv/bin/python bench/bench_import.py [--rows N] [--backends sqlite,postgres]

Each backend runs in a child process with fresh databases (SQLite files in a temporary
folder; PostgreSQL databases urne_bench_* on 127.0.0.1, dropped and re-created).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_PREFIX = "urne_bench"


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.site.settings.dev")
    import django

    django.setup()


def child(backend: str, csv_path: Path, var: Path) -> dict[str, float | int | str]:
    env = {"URNE_VAR": str(var)}
    if backend == "postgres":
        import psycopg

        env |= {"URNE_DB": "postgres", "URNE_DB_PREFIX": PG_PREFIX}
        with psycopg.connect("host=127.0.0.1 dbname=postgres user=root", autocommit=True) as c:
            for suffix in ("voters", "authority", "urn"):
                c.execute(f'DROP DATABASE IF EXISTS "{PG_PREFIX}_{suffix}"')
                c.execute(f'CREATE DATABASE "{PG_PREFIX}_{suffix}"')
    _django(env)
    from django.core.management import call_command
    from django.db import connection

    from urne.elections.services import election_create
    from urne.elections.voter_import import voters_import_file

    for alias in ("default", "authority", "urn"):
        call_command("migrate", database=alias, verbosity=0)
    election = election_create(actor="bench", name="bench")
    result: dict[str, float | int | str] = {"backend": backend, "engine": connection.vendor}
    for run in ("import", "reimport"):
        start = time.perf_counter()
        stats = voters_import_file(election=election, path=csv_path)
        elapsed = time.perf_counter() - start
        result[f"{run}_rows"] = stats.rows
        result[f"{run}_seconds"] = round(elapsed, 1)
        result[f"{run}_rows_per_s"] = round(stats.rows / elapsed)
        result[f"{run}_created"] = stats.created
        result[f"{run}_updated"] = stats.updated
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--var", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.csv, args.var)))
        return
    work = Path(tempfile.mkdtemp(prefix="urne-bench-"))
    csv_path = work / f"voters-{args.rows}.csv"
    _django({"URNE_VAR": str(work / "gen")})
    from urne.elections.demo import voters_csv_write

    start = time.perf_counter()
    voters_csv_write(path=csv_path, count=args.rows, seed=1)
    print(f"generated {args.rows} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - start:.1f} s", flush=True)
    results = []
    for backend in args.backends.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", backend, "--csv", str(csv_path),
             "--var", str(work / backend)],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(res)
        print(f"{backend:<9} import {res['import_rows_per_s']:>8,} rows/s "
              f"({res['import_seconds']} s, {res['import_created']} created)   "
              f"re-import {res['reimport_rows_per_s']:>8,} rows/s "
              f"({res['reimport_seconds']} s, {res['reimport_updated']} updated)", flush=True)
    shutil.rmtree(work)  # the CSV and the SQLite files (hundreds of MB)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
