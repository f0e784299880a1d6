"""Write frontend/test/ceremony_vectors.json: the key ceremony's files as the Python core makes
them, for the page's JavaScript (frontend/src/ceremony) to reproduce byte for byte.

Run with the repository's interpreter: ``.venv/bin/python frontend/test/make_ceremony_vectors.py``.
``tests/unit/bureau/test_ceremony_js.py`` rebuilds the same text in memory and compares it with
the committed file. Randomness is seeded and recorded in the order Python draws it (scalars,
and the seed's base58 characters), so the JavaScript fed the same draws writes the same
bytes: a single key with its proof, steps 1, 3 and 5 of a 2-of-3 group with AES-GCM channels
(ADR 0720), and a passphrase-wrapped file (ADR 0721, with a small scrypt cost for speed).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from urne.ceremony import SeededRandom
from urne.crypto.encoding import dumps
from urne.crypto.keywrap import wrap
from urne.crypto.threshold import (
    AES_GCM,
    Context,
    cert_id,
    decrypt_key_share,
    step1,
    step3,
    step4,
    step5,
    step6,
)
from urne.crypto.trustees import generate_single_key, single_key_id

OUTPUT = Path(__file__).with_name("ceremony_vectors.json")


class Recorder:
    """Seeded scalars and base58 characters, recorded as they are handed out."""

    def __init__(self, seed: str) -> None:
        self.rnd = SeededRandom(seed)
        self.scalars: list[str] = []
        self.chars: list[str] = []

    def scalar(self) -> int:
        n = self.rnd.scalar()
        self.scalars.append(str(n))
        return n

    def choice(self, alphabet: str) -> str:
        c = self.rnd.choice(alphabet)
        self.chars.append(c)
        return c

    def take(self) -> dict[str, list[str]]:
        out = {"scalars": self.scalars, "chars": self.chars}
        self.scalars, self.chars = [], []
        return out


def _single() -> dict[str, Any]:
    rec = Recorder("ceremony/single")
    x, tpk = generate_single_key(rec.scalar)
    return {
        "draws": rec.take(),
        "privkey": json.dumps(str(x)) + "\n",
        "pubkey": dumps(tpk.to_json()),
        "id": single_key_id(tpk),
    }


def _threshold(n: int = 3, t: int = 2) -> dict[str, Any]:
    recs = [Recorder(f"ceremony/member{i}") for i in range(1, n + 1)]
    members: list[dict[str, Any]] = [{} for _ in range(n)]
    firsts = []
    for i in range(n):
        seed, cert = step1(Context(i + 1, t, n), recs[i].choice, recs[i].scalar)
        firsts.append((seed, cert))
        members[i].update(step1_draws=recs[i].take(), seed=seed, cert=dumps(cert.to_json()))
        members[i]["id"] = cert_id(cert)
    certs = [c for _, c in firsts]
    polys = []
    for i, (seed, _) in enumerate(firsts):
        p = step3(certs, seed, recs[i].scalar, AES_GCM)
        polys.append(p)
        members[i].update(step3_draws=recs[i].take(), polynomial=dumps(p.to_json()))
    vinputs = step4(certs, polys)
    voutputs = []
    for i, (seed, _) in enumerate(firsts):
        vo = step5(certs, seed, vinputs[i], recs[i].scalar)
        voutputs.append(vo)
        members[i].update(
            vinput=dumps(vinputs[i].to_json()),
            step5_draws=recs[i].take(),
            voutput=dumps(vo.to_json()),
        )
    params, dkeys = step6(certs, polys, voutputs)
    for i, (seed, _) in enumerate(firsts):
        members[i]["share"] = str(decrypt_key_share(seed, dkeys[i]))
    return {
        "threshold": t,
        "certs": [dumps(c.to_json()) for c in certs],
        "members": members,
        "params": dumps(params.to_json()),
    }


def _wrapped() -> list[dict[str, Any]]:
    rnd = random.Random("ceremony/wrap")  # noqa: S311 - fixed test vectors, not secrets
    out = []
    for plaintext, passphrase, name in (
        ('"1234567890"\n', "correct horse battery staple", "ABCD1234.privkey"),
        ("5KpD1a2B3c4d5E6f7G8h9J\n", "Ame\u0301lie l’été ✓", "0123abcd.key"),
    ):
        salt, nonce = rnd.randbytes(32), rnd.randbytes(12)
        out.append(
            {
                "plaintext": plaintext,
                "passphrase": passphrase,
                "name": name,
                "n": 2**14,
                "salt": salt.hex(),
                "nonce": nonce.hex(),
                "wrapped": wrap(plaintext, passphrase, name, n=2**14, salt=salt, nonce=nonce),
            }
        )
    return out


def build_vectors() -> str:
    data = {
        "about": "Made by frontend/test/make_ceremony_vectors.py from the Python crypto core.",
        "single": _single(),
        "threshold": _threshold(),
        "wrapped": _wrapped(),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    OUTPUT.write_text(build_vectors(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
