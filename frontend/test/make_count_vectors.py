"""Write frontend/test/count_vectors.json: the count's holder side as the Python core makes it,
for the count page's JavaScript (frontend/src/count) to reproduce byte for byte.

Run with the repository's interpreter: ``.venv/bin/python frontend/test/make_count_vectors.py``.
``tests/unit/count/test_count_js.py`` rebuilds the same text in memory and compares it with the
committed file. The election is belenios-tool 3.0's own (tests/data/belenios-3.0-ed25519-
threshold, whose archive the JavaScript reads itself): its encrypted tally as Python
recomputes it from the ballots, each decrypting trustee's partial decryption made by Python
with seeded scalars (recorded in the order drawn), the holder's file of them, and the
president's key file wrapped under a passphrase (ADR 0721, small scrypt cost for speed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from urne.ceremony import SeededRandom
from urne.crypto.archive import events_with_data, read_records
from urne.crypto.ballot import parse_ballot
from urne.crypto.election import parse_election
from urne.crypto.encoding import dumps, loads
from urne.crypto.keywrap import wrap
from urne.crypto.tally import compute_encrypted_tally, compute_partial_decryption, tally_text
from urne.decryptions import bundle_dumps

OUTPUT = Path(__file__).with_name("count_vectors.json")
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "belenios-3.0-ed25519-threshold"
ARCHIVE = "tests/data/belenios-3.0-ed25519-threshold/2qCRiBYzoKRuwp.bel"


def _secrets() -> dict[int, int]:
    """trustee id -> secret of the three trustees that decrypted (the president, members 1, 3)."""
    privkey = next((DATA / "trustees" / "single-1").glob("*.privkey"))
    out = {1: int(json.loads(privkey.read_text()))}
    lines = (DATA / "trustees" / "threshold" / "shares.tsv").read_text().splitlines()[1:]
    for line in lines:
        cells = line.split("\t")
        if cells[1] in ("2", "4"):
            out[int(cells[1])] = int(cells[5])
    return out


def vectors() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[2]
    events = events_with_data(read_records((root / ARCHIVE).read_bytes()))
    election_raw = events[0][1][0].body.decode()
    election = parse_election(election_raw)
    ballots = [parse_ballot(d[0].body.decode()) for e, d in events if e.type == "Ballot"]
    tally, _, _ = compute_encrypted_tally(election, ((b, 1) for b in ballots))
    rnd = SeededRandom("count-vectors")
    decryptions = []
    entries = []
    for owner, secret in sorted(_secrets().items()):
        draws: list[str] = []

        def scalar() -> int:
            n = rnd.scalar()
            draws.append(str(n))  # noqa: B023 - used within this iteration only
            return n

        pd = dumps(compute_partial_decryption(election, tally, secret, scalar).to_json())
        theirs = (DATA / "tally" / f"partial_decryption.trustee-{owner}.json").read_text().strip()
        decryptions.append(
            {"owner": owner, "secret": str(secret), "draws": draws, "ours": pd, "belenios": theirs}
        )
        entries.append((election.uuid, owner, pd))
    privkey = json.dumps(str(_secrets()[1]))
    salt, nonce = bytes(range(32)), bytes(range(12))
    return {
        "about": "made by frontend/test/make_count_vectors.py; do not edit",
        "archive": ARCHIVE,
        "uuid": election.uuid,
        "ballots": len(ballots),
        "tally": tally_text(tally),
        "belenios_tally": loads((DATA / "tally" / "encrypted_tally.json").read_text()),
        "decryptions": decryptions,
        "bundle": bundle_dumps(entries),
        "wrapped_privkey": {
            "passphrase": "phrase de passe été",
            "wrapped": wrap(
                privkey, "phrase de passe été", "664D97FA.privkey", n=2**14, salt=salt, nonce=nonce
            ),
        },
    }


def text() -> str:
    return json.dumps(vectors(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
