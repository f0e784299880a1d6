"""``urne-seats --seats N [--method highest-average|largest-remainder] [--seed S]
[--registered R --voters V --blank B] NAME=VOTES[:CANDIDATES] …``

Prints the allocation as a JSON object (``urne.counting.report``): ``"seats"`` maps each list to
its seats; the quotient, each round after the quotient, the draws and the unattributed seats
follow. With ``--registered``, ``--voters`` and ``--blank`` it also checks and prints the
procès-verbal's figures (turnout; the lists' votes must add up to voters − blank).

Exit status: 0 counted; 2 bad input (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import NoReturn

from .pv import pv_figures
from .report import allocation_report, pv_report
from .seats import CountingError, ListVotes, Method, seats_allocate

_WHOLE = re.compile(r"[0-9]+")


class _BadInput(Exception):
    """Bad command-line input: reported on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _BadInput(message)


def _whole(text: str, what: str, minimum: int = 0) -> int:
    if not _WHOLE.fullmatch(text) or int(text) < minimum:
        raise _BadInput(f"{what} must be a whole number, {minimum} or more, not {text!r}")
    return int(text)


def _list(argument: str) -> ListVotes:
    name, sep, figures = argument.rpartition("=")
    if not sep or not name:
        raise _BadInput(f"expected NAME=VOTES[:CANDIDATES], not {argument!r}")
    votes_text, colon, candidates_text = figures.partition(":")
    votes = _whole(votes_text, f"{name}: votes")
    candidates = _whole(candidates_text, f"{name}: candidates", 1) if colon else None
    return ListVotes(name=name, votes=votes, candidates=candidates)


def _parser() -> _Parser:
    parser = _Parser(
        prog="urne-seats",
        description="Seats by the civil-service rules: electoral quotient, then the highest "
        "average (or the largest remainder); ties to the most votes, then the most "
        "candidates, then a draw from the bureau's seed; a list never gets more seats than "
        "it has candidates.",
    )
    parser.add_argument("lists", nargs="*", metavar="NAME=VOTES[:CANDIDATES]")
    parser.add_argument("--seats", required=True, metavar="N", help="titular seats to fill")
    parser.add_argument(
        "--method", choices=[m.value for m in Method], default=Method.HIGHEST_AVERAGE.value
    )
    parser.add_argument("--seed", help="the bureau's seed for a draw, stated in session")
    parser.add_argument("--registered", metavar="R", help="registered voters (PV figures)")
    parser.add_argument("--voters", metavar="V", help="voters (PV figures)")
    parser.add_argument("--blank", metavar="B", help="blank ballots (PV figures)")
    return parser


def _run(argv: list[str] | None) -> str:
    args = _parser().parse_args(argv)
    if not args.lists:
        raise _BadInput("no list: give at least one NAME=VOTES[:CANDIDATES]")
    seats = _whole(args.seats, "--seats", 1)
    lists = [_list(a) for a in args.lists]
    method = Method(args.method)
    pv_args = (args.registered, args.voters, args.blank)
    if any(a is not None for a in pv_args):
        if any(a is None for a in pv_args):
            raise _BadInput("--registered, --voters and --blank go together")
        pv = pv_figures(
            registered=_whole(args.registered, "--registered"),
            voters=_whole(args.voters, "--voters"),
            blank=_whole(args.blank, "--blank"),
            lists=lists,
            seats=seats,
            method=method,
            seed=args.seed,
        )
        report = pv_report(pv)
    else:
        allocation = seats_allocate(lists=lists, seats=seats, method=method, seed=args.seed)
        report = allocation_report(allocation)
    return json.dumps(report, ensure_ascii=False, indent=2)


def main(argv: list[str] | None = None) -> int:
    try:
        print(_run(argv))
    except (_BadInput, CountingError) as error:
        # One line: the message may quote an argument containing a line break.
        message = " ".join(str(error).split())
        print(f"urne-seats: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
