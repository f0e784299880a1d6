"""``urne-seats`` through its process: the JSON it prints, and bad input refused with exit
status 2 and one line on stderr, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "urne-seats"
CTM_2011 = [
    "FSU=141901",
    "UNSA=72383",
    "FO=35248",
    "SGEN=34899",
    "CGT=22602",
    "SUD=20227",
    "SNALC=17467",
    "autres=4611",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.is_file(), f"{SCRIPT} is missing: reinstall (make install)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, check=False, env=env
    )


def ok(*args: str) -> dict[str, object]:
    done = run(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def test_ctm_2011() -> None:
    report = ok("--seats", "15", *CTM_2011)
    assert report["seats"] == {
        "FSU": 7, "UNSA": 4, "FO": 1, "SGEN": 1, "CGT": 1, "SUD": 1, "SNALC": 0, "autres": 0,
    }  # fmt: skip
    assert report["method"] == "highest-average"
    assert report["quotient"] == "116446/5"
    assert report["valid"] == 349338
    assert report["unattributed"] == 0 and report["draws"] == []
    rounds = report["rounds"]
    assert isinstance(rounds, list)
    assert [(r["seat"], r["winner"]) for r in rounds] == [
        (12, "CGT"),
        (13, "FSU"),
        (14, "SUD"),
        (15, "UNSA"),
    ]
    assert rounds[0]["values"]["FSU"] == "141901/7"
    assert rounds[0]["tie"] is None
    shares = {entry["name"]: entry["share_percent"] for entry in report["lists"]}  # type: ignore[attr-defined]
    assert shares["FSU"] == "40.62" and shares["SNALC"] == "5.00"


def test_largest_remainder_and_cap() -> None:
    report = ok(
        "--seats",
        "10",
        "--method",
        "largest-remainder",
        "Yellows=47000",
        "Whites=16000",
        "Reds=15800",
        "Greens=12000",
        "Blues=6100",
        "Pinks=3100",
    )
    assert report["seats"] == {
        "Yellows": 5, "Whites": 2, "Reds": 1, "Greens": 1, "Blues": 1, "Pinks": 0,
    }  # fmt: skip
    capped = ok("--seats", "5", "A=1000:2", "B=10:1")
    assert capped["seats"] == {"A": 2, "B": 1} and capped["unattributed"] == 2


def test_draw_recorded_and_reproducible() -> None:
    args = ("--seats", "1", "--seed", "séance du 8 décembre", "Liste A=100:2", "Liste B=100:2")
    report = ok(*args)
    (draw,) = report["draws"]  # type: ignore[misc]
    assert draw["seed"] == "séance du 8 décembre"
    assert draw["names"] == ["Liste A", "Liste B"] and draw["round"] == 1
    assert report["seats"][draw["winner"]] == 1  # type: ignore[index]
    assert report["rounds"][0]["tie"] == {  # type: ignore[index]
        "names": ["Liste A", "Liste B"],
        "decided_by": "draw",
    }
    assert ok(*args) == report


def test_procès_verbal_figures() -> None:
    report = ok("--seats", "2", "--registered", "10", "--voters", "8", "--blank", "2", "A=4", "B=2")
    assert report["pv"] == {
        "registered": 10,
        "voters": 8,
        "blank": 2,
        "invalid": 0,
        "valid": 6,
        "turnout": "4/5",
        "turnout_percent": "80.00",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seats", "3"], "no list"),
        (["--seats", "3", "A=1", "B=2", "A=3"], "twice: A"),
        (["--seats", "3", "A=-5"], "votes must be a whole number"),
        (["--seats", "3", "A=1.5"], "votes must be a whole number"),
        (["--seats", "3", "A=12abc"], "votes must be a whole number"),
        (["--seats", "3", "A= 12"], "votes must be a whole number"),
        (["--seats", "3", "A=1_000"], "votes must be a whole number"),
        (["--seats", "3", "A=10:x"], "candidates must be a whole number"),
        (["--seats", "3", "A=10:"], "candidates must be a whole number"),
        (["--seats", "3", "A=10:0"], "candidates must be a whole number, 1 or more"),
        (["A=1"], "--seats"),
        (["--seats", "0", "A=1"], "--seats must be a whole number, 1 or more"),
        (["--seats", "-2", "A=1"], "--seats must be a whole number, 1 or more"),
        (["--seats", "two", "A=1"], "--seats must be a whole number"),
        (["--seats", "3", "A"], "expected NAME=VOTES"),
        (["--seats", "3", "=5"], "expected NAME=VOTES"),
        (["--seats", "3", "--method", "sainte-lague", "A=1"], "invalid choice"),
        (["--seats", "3", "--bogus", "A=1"], "unrecognized arguments"),
        (["--seats", "3", "--seed", "", "A=1"], "seed"),
        (["--seats", "1", "A=5:1", "B=5:1"], "a draw is needed between A, B"),
        (["--seats", "1", "A=5", "B=5"], "the number of candidates"),
        (["--seats", "1", "--voters", "3", "A=1"], "go together"),
        (
            ["--seats", "1", "--registered", "9", "--voters", "5", "--blank", "1", "A=1"],
            "not to the 4 valid votes",
        ),
        (["--seats", "3", "A\nB=1", "A\nB=2"], "twice"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("urne-seats: error: ")
    assert message in lines[0]
    assert "Traceback" not in done.stderr


def test_help() -> None:
    done = run("--help")
    assert done.returncode == 0 and "NAME=VOTES[:CANDIDATES]" in done.stdout


def test_runs_without_django() -> None:
    # As on a machine where only the base distribution (pip install urne) is installed.
    code = "import sys; sys.modules['django'] = None; from urne.counting.cli import main; "
    done = subprocess.run(
        [sys.executable, "-c", code + "sys.exit(main(sys.argv[1:]))", "--seats", "2", "A=3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seats"] == {"A": 2}
