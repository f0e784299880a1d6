"""What each verifier accepts: the mutation corpus (tests/unit/crypto/test_mutations.py) run
through belenios-tool 3.0 and 3.3 (`election verify`, and `election verify-ballot` on every
ballot of the archive) and through urne-verify.

    .venv/bin/python bench/tool_acceptance.py [--json]

Each tampered archive has a correct hash chain and its altered ballots are signed again, so a
verifier that accepts one has missed the tampering. Prints one line a case and the totals
recorded in docs/protocol.md ("What each verifier accepts").
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "unit" / "crypto")]

from archive_builder import build_election, extract, login, one_hot, rebuild  # noqa: E402
from test_mutations import CASES, LISTS, VOTERS, event_hook  # noqa: E402

from belenios_tools import VERSIONS, tool_path  # noqa: E402
from urne.crypto.archive import events_with_data, read_records  # noqa: E402
from urne.verify.checks import verify_archive  # noqa: E402


def run(tool: Path, *args: str | Path) -> bool:
    """True when the tool says the check passed (exit 0)."""
    done = subprocess.run(
        [str(tool), *map(str, args)], capture_output=True, text=True, check=False, timeout=300
    )
    return done.returncode == 0


def ballots_of(data: bytes) -> list[str]:
    return [
        record.body.decode()
        for event, records in events_with_data(read_records(data))
        if event.type == "Ballot"
        for record in records
    ]


def judge(
    data: bytes, setup: bytes, uuid: str, tools: dict[str, Path], work: Path
) -> dict[str, bool]:
    """Accepted (True) or refused by each verifier. ``verify-ballot`` checks each ballot
    against the archive's setup alone (against the whole archive it would be a duplicate)."""
    folder, setup_folder = work / "archive", work / "setup"
    folder.mkdir()
    setup_folder.mkdir()
    (folder / f"{uuid}.bel").write_bytes(data)
    (setup_folder / f"{uuid}.bel").write_bytes(setup)
    verdicts = {"urne-verify": verify_archive(str(folder / f"{uuid}.bel"), jobs=1).valid}
    ballots = ballots_of(data)
    for version, tool in tools.items():
        verdicts[f"{version} verify"] = run(tool, "election", "verify", "--dir", folder)
        accepted = True
        for n, text in enumerate(ballots):
            path = work / f"ballot-{n}.json"
            path.write_text(text + "\n")
            accepted = run(
                tool, "election", "verify-ballot", "--dir", setup_folder, "--ballot", path
            )
            if not accepted:
                break
        verdicts[f"{version} verify-ballot"] = accepted
    return verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    args = parser.parse_args()
    tools = {v: tool_path(v) for v in VERSIONS}
    for version, path in tools.items():
        if not os.access(path, os.X_OK):
            sys.exit(f"belenios-tool {version} not found at {path}: run `make install-tools`")

    votes = [(login(i), one_hot(LISTS, i % (LISTS + 1))) for i in range(1, VOTERS + 1)]
    base = build_election(votes, voters=VOTERS, lists=LISTS, seed="mutations")
    timestamp, base_steps = extract(base.data)
    uuid = base.election.uuid
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, case in enumerate([None, *CASES]):
            steps = copy.deepcopy(base_steps)
            if case is not None and case.mutate is not None:
                case.mutate(base, steps)
            hook = event_hook(*case.hook) if case is not None and case.hook else None
            data = rebuild(timestamp, steps, hook)
            work = Path(tmp) / str(n)
            work.mkdir()
            setup = rebuild(timestamp, steps[:1], None)
            verdicts = judge(data, setup, uuid, tools, work)
            name = "(untampered archive)" if case is None else case.name
            rows.append({"case": name, **verdicts})
            marks = "  ".join(f"{k}={'ACCEPT' if v else 'refuse'}" for k, v in verdicts.items())
            print(f"{name:<48} {marks}", file=sys.stderr)
    tampered = rows[1:]
    columns = [k for k in rows[0] if k != "case"]
    totals = {c: sum(1 for r in tampered if r[c]) for c in columns}
    # A tampering is caught by a tool when its verify or its verify-ballot refuses it.
    for version in tools:
        totals[f"{version} verify + verify-ballot"] = sum(
            1 for r in tampered if r[f"{version} verify"] and r[f"{version} verify-ballot"]
        )
    if args.json:
        print(json.dumps({"cases": rows, "accepted_of": len(tampered), "accepted": totals}))
    else:
        print(
            f"\n{len(tampered)} tampered archives; untampered accepted by all: "
            f"{all(rows[0][c] for c in columns)}"
        )
        for column, count in totals.items():
            print(f"  {column:<32} accepts {count:>2} of {len(tampered)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
