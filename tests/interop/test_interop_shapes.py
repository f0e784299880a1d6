"""Other question shapes and weights through belenios-tool 3.0: an election with a
multiple-choice question without blank (min 0, max 2), a question with blank and min 1 /
max 3, and weighted voters (weights 1, 2, 3, 1). Our ballots pass the tool's
``verify-ballot``, the tool's ballots pass ours, and the weighted tally decrypts to the same
result in both."""

from __future__ import annotations

import pytest

from urne.ceremony import SeededRandom
from urne.crypto.archive import ArchiveWriter
from urne.crypto.ballot import create_ballot, verify_ballot_string
from urne.crypto.credentials import (
    derive_secret,
    generate_credential,
    make_public_credentials,
    public_credential,
)
from urne.crypto.election import HomomorphicQuestion, make_election
from urne.crypto.encoding import dumps
from urne.crypto.tally import (
    combine_factors,
    compute_encrypted_tally,
    compute_partial_decryption,
    compute_result,
    owned_json,
    result_to_json,
    sized_tally_json,
    tally_text,
)
from urne.crypto.trustees import generate_single_key, trustees_to_json
from urne.verify.checks import verify_archive

pytestmark = pytest.mark.interop

QUESTIONS = (
    HomomorphicQuestion("Cochez au plus deux cases", ("un", "deux", "trois"), 0, 2),
    HomomorphicQuestion("Entre une et trois", ("A", "B", "C", "D"), 1, 3, blank=True),
)
WEIGHTS = (1, 2, 3, 1)
# (voter index, plaintext, made by): voter 0 votes twice, voter 3 does not vote
VOTES = [
    (0, [[1, 1, 0], [0, 1, 0, 0, 0]], "urne"),
    (1, [[0, 0, 0], [1, 0, 0, 0, 0]], "tool"),
    (2, [[0, 1, 1], [0, 1, 1, 1, 0]], "urne"),
    (0, [[0, 0, 1], [0, 0, 0, 1, 1]], "tool"),
    (1, [[1, 0, 1], [0, 0, 0, 0, 1]], "urne"),
]


@pytest.fixture(scope="module")
def shaped(belenios_tool, tmp_path_factory):
    rnd = SeededRandom("shapes")
    president_key, president = generate_single_key(rnd.scalar)
    uuid = "".join(rnd.choice("123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(14))
    election = make_election(
        uuid=uuid,
        name="Formes",
        description="",
        public_key=president.public_key,
        questions=QUESTIONS,
    )
    credentials = [generate_credential(rnd.choice) for _ in WEIGHTS]
    public = make_public_credentials(
        [public_credential(uuid, c) for c in credentials], weights=list(WEIGHTS)
    )
    writer = ArchiveWriter(timestamp=1_790_000_000)
    writer.setup(election.raw, dumps(trustees_to_json([president])), dumps(public.to_json()))
    work = tmp_path_factory.mktemp("shapes")
    setup_dir = work / "setup-only"
    setup_dir.mkdir()
    (setup_dir / f"{uuid}.bel").write_bytes(writer.to_bytes())
    ballots = []
    for i, (voter, plain, maker) in enumerate(VOTES):
        if maker == "urne":
            secret = derive_secret(uuid, credentials[voter])
            ballots.append(create_ballot(election, secret, plain, rnd.scalar).to_string())
            continue
        (work / f"{i}.cred").write_text(credentials[voter] + "\n")
        (work / f"{i}.choice").write_text(dumps(plain) + "\n")
        done = belenios_tool.run(
            "election",
            "generate-ballot",
            "--dir",
            setup_dir,
            "--privcred",
            work / f"{i}.cred",
            "--choice",
            work / f"{i}.choice",
        )
        ballots.append(done.stdout.strip())
    return election, president_key, president, public, writer, setup_dir, work, ballots


def test_every_ballot_passes_both_checks(belenios_tool, shaped):
    election, *_, setup_dir, work, ballots = shaped
    for i, raw in enumerate(ballots):
        verify_ballot_string(election, raw)
        path = work / f"ballot-{i}.json"
        path.write_text(raw + "\n")
        done = belenios_tool.run(
            "election", "verify-ballot", "--dir", setup_dir, "--ballot", path, check=False
        )
        assert done.returncode == 0, f"ballot {i} ({VOTES[i][2]}): {done.stdout}{done.stderr}"


def test_weighted_tally_and_result_agree(belenios_tool, shaped):
    election, president_key, president, _, writer, _, work, ballots = shaped
    last = {}
    for (voter, plain, _), raw in zip(VOTES, ballots, strict=True):
        writer.ballot(raw)
        last.pop(voter, None)
        last[voter] = (verify_ballot_string(election, raw), plain)
    tally, count, total = compute_encrypted_tally(
        election, [(b, WEIGHTS[v]) for v, (b, _) in last.items()]
    )
    assert (count, total) == (3, 1 + 2 + 3)
    text = tally_text(tally)
    writer.end_ballots()
    writer.encrypted_tally(text, dumps(sized_tally_json(text, count, total)))
    pd = compute_partial_decryption(election, tally, president_key)
    pd_text = dumps(pd.to_json())
    writer.partial_decryption(pd_text, dumps(owned_json(1, pd_text)))
    result = compute_result(tally, combine_factors(election, tally, [president], {1: pd}), total)
    expected = [
        [sum(WEIGHTS[v] * plain[q][j] for v, (_, plain) in last.items()) for j in range(len(row))]
        for q, row in enumerate(result)
    ]
    assert result == expected
    writer.result(dumps(result_to_json(result)))
    final = work / "final"
    final.mkdir()
    path = final / f"{election.uuid}.bel"
    path.write_bytes(writer.to_bytes())

    report = verify_archive(str(path), jobs=1)
    assert report.failures == []
    assert report.result == expected
    done = belenios_tool.run("election", "verify", "--dir", final)
    assert "all checks passed" in done.stdout + done.stderr
    done = belenios_tool.run("election", "compute-result", "--dir", final)
    assert done.stdout.strip() == dumps(result_to_json(expected))
    done = belenios_tool.run("election", "compute-encrypted-tally", "--dir", final)
    assert done.stdout.strip() == f"{text}\n{dumps(sized_tally_json(text, count, total))}"
