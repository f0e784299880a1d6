"""A child process running the cast service over a task file (JSON list of {i, voter,
scrutin, ballot}); prints one JSON line per cast: the receipt given, or the error code."""

import json
import sys

import django

django.setup()

from urne.booth.services import CastError, cast_submit  # noqa: E402


def main() -> None:
    with open(sys.argv[1]) as f:
        tasks = json.load(f)
    for t in tasks:
        try:
            r = cast_submit(voter_id=t["voter"], scrutin_uuid=t["scrutin"], ballot=t["ballot"])
            line = {"i": t["i"], "tracker": r.tracker, "resent": r.resent}
        except CastError as exc:
            line = {"i": t["i"], "error": exc.code}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
