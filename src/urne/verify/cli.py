"""``urne-verify PATH…``: check Belenios election archives (``.bel``), or folders of them.

Exit status: 0 every archive valid, 1 an archive is invalid, 2 an archive is unreadable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .checks import Report, verify_archive


def _archives(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*.bel"))
            out.extend(found if found else [p])
        else:
            out.append(p)
    return out


class _ProgressBar:
    """A one-line progress bar on a terminal's stderr; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, path: str, done: int, total: int) -> None:
        if not self.enabled or total == 0 or (done % 16 and done != total):
            return
        width = 30
        filled = width * done // total
        name = os.path.basename(path)
        sys.stderr.write(
            f"\r{name}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ballots"
        )
        sys.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


def _print_report(r: Report) -> None:
    if r.valid:
        result = f", result {json.dumps(r.result)}" if r.result is not None else ""
        print(
            f"{r.path}: valid ({r.ballots} ballots, {r.tallied} tallied, stage {r.stage}{result})"
        )
        return
    status = "unreadable" if not r.readable else "INVALID"
    print(f"{r.path}: {status}")
    for f in r.failures:
        print(f"  - {f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="urne-verify",
        description="Check Belenios 3.0 (Ed25519) election archives completely: hash chain, "
        "setup, trustees, every ballot, encrypted tally, partial decryptions, result.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".bel archive or folder")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    args = parser.parse_args(argv)
    bar = _ProgressBar(sys.stderr.isatty() and not args.json)
    reports = []
    for path in _archives(args.paths):
        report = verify_archive(path, jobs=args.jobs, on_progress=bar)
        bar.end()
        reports.append(report)
        if not args.json:
            _print_report(report)
    if args.json:
        print(
            json.dumps({"archives": [r.to_json() for r in reports]}, ensure_ascii=False, indent=2)
        )
    if any(not r.readable for r in reports):
        return 2
    return 0 if all(r.valid for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
