"""The booth's JavaScript crypto (frontend/) and the Python core cannot drift apart.

* frontend/test/vectors.json, which the node tests reproduce byte for byte, must be exactly
  what the Python core makes today (frontend/test/make_vectors.py);
* ballots the JavaScript makes with real randomness, from the ES modules and from the built
  booth bundle, must pass Python's ``verify_ballot_string`` (PROTOCOL.md §5).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from urne.ceremony import SeededRandom, list_question, uuid_token
from urne.crypto.ballot import verify_ballot_string
from urne.crypto.credentials import generate_credential, normalise_credential, public_credential
from urne.crypto.election import Election, HomomorphicQuestion, make_election
from urne.crypto.encoding import sha256_b64
from urne.crypto.group import GROUP

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
