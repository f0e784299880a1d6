"""The booth's JavaScript crypto (frontend/) and the Python core cannot drift apart.

* frontend/test/vectors.json, which the node tests reproduce byte for byte, must be exactly
  what the Python core makes today (frontend/test/make_vectors.py);
* ballots the JavaScript makes with real randomness, from the ES modules and from the built
  booth bundle, must pass Python's ``verify_ballot_string`` (docs/protocol.md §5);
* the JavaScript self-check ``verifyBallot`` must accept and refuse what Python does, naming
  the same failed check, on ballots broken at every layer.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from urne.ceremony import SeededRandom, list_question, uuid_token
from urne.crypto.ballot import BallotError, verify_ballot_string
from urne.crypto.credentials import generate_credential, normalise_credential, public_credential
from urne.crypto.election import Election, HomomorphicQuestion, make_election, parse_election
from urne.crypto.encoding import dumps, sha256_b64
from urne.crypto.group import GROUP, Q

ROOT = Path(__file__).resolve().parents[3]
FRONTEND = ROOT / "frontend"
CLI = FRONTEND / "test" / "cli-make-ballots.mjs"


def _make_vectors() -> ModuleType:
    path = FRONTEND / "test" / "make_vectors.py"
    spec = importlib.util.spec_from_file_location("urne_make_js_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_vectors_are_what_python_makes_today() -> None:
    committed = (FRONTEND / "test" / "vectors.json").read_text(encoding="utf-8")
    fresh = _make_vectors().build_vectors()
    assert fresh == committed, (
        "frontend/test/vectors.json is stale: run "
        "`.venv/bin/python frontend/test/make_vectors.py`, then `cd frontend && npm test`"
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the booth's JavaScript crypto cannot be checked")
    if not (FRONTEND / "node_modules" / "@noble" / "curves").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make frontend`")
    return node


def _election() -> Election:
    rnd = SeededRandom("js-vectors/real-randomness")
    return make_election(
        uuid=uuid_token(rnd),
        name="Élection du CSA – test JS",
        description="Bulletins faits par le navigateur, vérifiés par Python.",
        public_key=GROUP.mul_base(rnd.scalar()),
        questions=[
            list_question(9),
            HomomorphicQuestion("Deux au plus", ("A", "B", "C"), 0, 2),
        ],
    )


PLAINTEXTS = [
    [[0, 0, 0, 1, 0, 0, 0, 0, 0, 0], [1, 0, 1]],
    [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0]],
    [[0, 1, 0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0]],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [1, 1, 0]],
]


@pytest.mark.parametrize("source", ["modules", "bundle"])
def test_js_ballots_with_real_randomness_pass_python_verification(source: str) -> None:
    node = _node()
    election = _election()
    credential = generate_credential(SeededRandom("js-vectors/credential").choice)
    typed = f"  {credential.replace('-', '')}\n"  # as a voter might type it
    request = {"election": election.raw, "credential": typed, "plaintexts": PLAINTEXTS}
    args = [node, str(CLI)] + (["--bundle"] if source == "bundle" else [])
    proc = subprocess.run(
        args, input=json.dumps(request), capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["bundle"] is (source == "bundle")
    assert answer["credential"] == normalise_credential(typed) == credential
    expected_public = GROUP.element_to_string(public_credential(election.uuid, credential))
    assert answer["public_credential"] == expected_public
    ballots = answer["ballots"]
    assert len(ballots) == len(PLAINTEXTS)
    assert len({b["ballot"] for b in ballots}) == len(ballots)  # fresh randomness each time
    for made in ballots:
        ballot = verify_ballot_string(election, made["ballot"])  # raises if Python refuses it
        assert GROUP.element_to_string(ballot.credential) == expected_public
        assert made["tracker"] == ballot.tracker == sha256_b64(made["ballot"])
        assert made["self_check"] is True


# -- verifyBallot: the same verdict, naming the same check, as verify_ballot_string ----------

ORDER2 = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"
NON_CANONICAL_IDENTITY = f"{2**255 - 18:064x}"


def _resign(obj: dict[str, Any], secret: int) -> str:
    """Sign a (modified) ballot with the voter's secret, as a dishonest client could."""
    unsigned = {k: v for k, v in obj.items() if k != "signature"}
    hash_b64 = sha256_b64(dumps(unsigned))
    w = 1234567890123456789
    challenge = GROUP.hash_to_scalar(f"sig|{hash_b64}|", [GROUP.mul_base(w)])
    proof = {"challenge": str(challenge), "response": str((w - secret * challenge) % Q)}
    return dumps({**unsigned, "signature": {"hash": hash_b64, "proof": proof}})


def _bump(proof: dict[str, str], key: str) -> None:
    proof[key] = str((int(proof[key]) + 1) % Q)


def _mutants(case: dict[str, Any]) -> list[str]:
    """One valid ballot and ways to break it, at every layer verify_ballot_string checks."""
    raw: str = case["ballot"]
    secret = int(case["secret"])
    out = [raw, raw + " ", json.dumps(json.loads(raw), indent=1), raw[:-1], "[]", "null"]

    def edit(change: Callable[[dict[str, Any]], None], *, sign: bool) -> None:
        obj = json.loads(raw)
        change(obj)
        out.append(_resign(obj, secret) if sign else dumps(obj))

    def answer(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        return lambda b: change(b["answers"][0])

    for sign in (False, True):
        edit(answer(lambda a: _bump(a["individual_proofs"][-1][1], "response")), sign=sign)
        edit(answer(lambda a: _bump(a["individual_proofs"][0][0], "challenge")), sign=sign)
        edit(answer(lambda a: _bump(a["overall_proof"][-1], "challenge")), sign=sign)
        edit(answer(lambda a: a["choices"][-1].update(alpha=ORDER2)), sign=sign)
        edit(answer(lambda a: a["choices"][0].update(beta=NON_CANONICAL_IDENTITY)), sign=sign)
        edit(answer(lambda a: a["choices"].pop()), sign=sign)
        edit(answer(lambda a: a.pop("blank_proof", None)), sign=sign)
        edit(answer(lambda a: a.update(blank_proof=a["overall_proof"][:2])), sign=sign)
        edit(lambda b: b["answers"].pop(), sign=sign)
        edit(lambda b: b.update(credential=ORDER2), sign=sign)
        edit(lambda b: b.update(election_uuid=b["election_uuid"] + "é"), sign=sign)
        edit(lambda b: b.update(election_hash=b["election_hash"][::-1]), sign=sign)
    edit(lambda b: _bump(b["signature"]["proof"], "response"), sign=False)
    edit(lambda b: b["signature"].update(hash=b["signature"]["hash"][::-1]), sign=False)
    edit(lambda b: b.pop("signature"), sign=False)
    edit(lambda b: b.update(signature=None), sign=False)
    edit(lambda b: b.update(extra=1), sign=False)
    edit(lambda b: b.update(credential=b["credential"].upper()), sign=False)
    edit(lambda b: b.update(credential=5), sign=False)
    edit(
        lambda b: b["signature"]["proof"].update(
            challenge="0" + b["signature"]["proof"]["challenge"]
        ),
        sign=False,
    )
    edit(lambda b: b["signature"]["proof"].update(response=str(Q)), sign=False)
    edit(
        lambda b: b["signature"]["proof"].update(
            response=int(b["signature"]["proof"]["response"]) % 1000
        ),
        sign=False,
    )
    swapped = json.loads(raw)
    out.append(dumps({"election_hash": swapped.pop("election_hash"), **swapped}))
    out.append(raw.replace('"election_uuid":"', '"election_uuid":"\\ud800', 1))
    out.append(raw.replace("{", '{"election_uuid":"x",', 1))  # duplicate key
    return out


def _python_verdict(election: Election, raw: str) -> dict[str, Any]:
    try:
        verify_ballot_string(election, raw)
    except BallotError as exc:
        return {"ok": False, "check": exc.check}
    return {"ok": True}


@pytest.mark.parametrize("source", ["modules", "bundle"])
def test_js_verify_ballot_gives_python_verdicts(source: str) -> None:
    node = _node()
    cases = json.loads((FRONTEND / "test" / "vectors.json").read_text(encoding="utf-8"))["cases"]
    for case in (c for c in cases if c["name"] in VERDICT_CASES):
        election = parse_election(case["election"])
        ballots = _mutants(case)
        expected = [_python_verdict(election, b) for b in ballots]
        assert expected[0] == {"ok": True}
        assert len({e.get("check") for e in expected}) > 12  # the mutants reach many checks
        request = {"election": case["election"], "ballots": ballots}
        args = [node, str(CLI), "--verify"] + (["--bundle"] if source == "bundle" else [])
        proc = subprocess.run(
            args,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        got = json.loads(proc.stdout)["verdicts"]
        for ballot, want, have in zip(ballots, expected, got, strict=True):
            assert have == want, f"{case['name']}: JS {have} but Python {want} for {ballot[:300]}"


VERDICT_CASES = (
    "nine lists + blank, list 3",
    "four questions, with administrator",
    "randomness 0 (alpha = identity)",
)
