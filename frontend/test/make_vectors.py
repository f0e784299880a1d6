"""Write frontend/test/vectors.json: what the Python crypto core makes, for the JS to reproduce.

Run with the repository's interpreter: ``.venv/bin/python frontend/test/make_vectors.py``.
``tests/unit/crypto/test_js_vectors.py`` rebuilds the same text in memory and compares it with
the committed file, so a change on the Python side that the vectors do not follow fails there.

Every ballot is made with seeded randomness (``urne.ceremony.SeededRandom``); the scalars are
recorded in the order ``create_ballot`` draws them, so the JS, fed the same list, must write
the same bytes (docs/protocol.md §1, §3, §4, §5, §12 "2.4").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from urne.ceremony import SeededRandom, list_question, uuid_token
from urne.crypto.ballot import create_ballot, verify_ballot_string
from urne.crypto.credentials import (
    CredentialError,
    derive_secret,
    generate_credential,
    normalise_credential,
    public_credential,
)
from urne.crypto.election import Election, HomomorphicQuestion, make_election
from urne.crypto.encoding import dumps
from urne.crypto.group import GROUP, GroupError, Q

OUTPUT = Path(__file__).with_name("vectors.json")
#: A point of order 8, RFC 8032 (little-endian) encoding.
ORDER8_RFC8032 = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"


class RecordingSource:
    """A seeded scalar source that records what it hands out; draws listed in ``zero_at``
    return 0 instead (randomness 0 gives α = identity, which Belenios accepts)."""

    def __init__(self, seed: str, zero_at: frozenset[int] = frozenset()) -> None:
        self._rnd = SeededRandom(seed)
        self._zero_at = zero_at
        self.drawn: list[int] = []

    def __call__(self) -> int:
        n = 0 if len(self.drawn) in self._zero_at else self._rnd.scalar()
        self.drawn.append(n)
        return n


def _election(
    seed: str, name: str, description: str, questions: list[HomomorphicQuestion], **extra: str
) -> Election:
    rnd = SeededRandom(seed)
    return make_election(
        uuid=uuid_token(rnd),
        name=name,
        description=description,
        public_key=GROUP.mul_base(rnd.scalar()),
        questions=questions,
        **extra,
    )


def _elections() -> dict[str, Election]:
    return {
        "lists": _election(
            "vectors/lists",
            "CSA – scrutin de liste",
            "Élection professionnelle : 9 listes et le vote blanc.",
            [list_question(9)],
        ),
        "single": _election(
            "vectors/single",
            "Consultation",
            "Une seule réponse, sans vote blanc",
            [HomomorphicQuestion("Approuvez-vous le règlement ?", ("Oui",), 0, 1)],
        ),
        "several": _election(
            "vectors/several",
            "Plusieurs questions / «CAP» ✓ 🗳",
            'Texte avec "guillemets", \\ barre, saut\nde ligne, tab\t, DEL \x7f et U+2028 \u2028.',
            [
                HomomorphicQuestion("Q1 : deux au plus", ("A", "B", "C"), 1, 2),
                HomomorphicQuestion("Q2 : blanc possible", ("A", "B", "C", "D"), 1, 2, blank=True),
                HomomorphicQuestion(
                    "Q3 : exactement deux, ou blanc", ("Oui", "Non"), 2, 2, blank=True
                ),
                HomomorphicQuestion("Q4 : de zéro à cinq", tuple("ABCDE"), 0, 5),
            ],
            administrator="Direction des ressources humaines",
            credential_authority="Autorité de génération des codes",
        ),
    }


def _spaced(credential: str) -> str:
    return credential.replace("-", " ")


def _undashed(credential: str) -> str:
    return credential.replace("-", "")


def _messy(credential: str) -> str:
    compact = credential.replace("-", "")
    return f" \t{compact[:4]}\u00a0{compact[4:11]}\u2013{compact[11:15]}_{compact[15:]}.\n"


def _cases() -> list[dict[str, Any]]:
    elections = _elections()
    rnd = SeededRandom("vectors/credentials")
    lists = [0] * 10
    plans: list[tuple[str, str, Any, list[list[int]], frozenset[int]]] = [
        ("nine lists + blank, list 3", "lists", str, [[*lists[:3], 1, *lists[4:]]], frozenset()),
        ("nine lists + blank, blank vote", "lists", _spaced, [[1, *lists[1:]]], frozenset()),
        ("nine lists + blank, list 9", "lists", _messy, [[*lists[:9], 1]], frozenset()),
        ("one answer, no blank, chosen", "single", _undashed, [[1]], frozenset()),
        ("one answer, no blank, none", "single", _spaced, [[0]], frozenset()),
        (
            "four questions, with administrator",
            "several",
            _messy,
            [[1, 0, 1], [0, 0, 1, 1, 0], [1, 0, 0], [0, 0, 0, 0, 0]],
            frozenset(),
        ),
        (
            "four questions, other choices",
            "several",
            str,
            [[0, 1, 0], [1, 0, 0, 0, 0], [0, 1, 1], [1, 1, 0, 1, 1]],
            frozenset(),
        ),
        # Randomness 0: the blank slot's and list 1's α are the identity, and so is the
        # first fake challenge; the JS must accept and reproduce them.
        (
            "randomness 0 (alpha = identity)",
            "lists",
            str,
            [[0, 1, *lists[2:]]],
            frozenset({0, 1, 10}),
        ),
    ]
    out = []
    for i, (name, key, typing, plaintext, zero_at) in enumerate(plans):
        election = elections[key]
        credential = generate_credential(rnd.choice)
        source = RecordingSource(f"vectors/ballot/{i}", zero_at)
        secret = derive_secret(election.uuid, credential)
        ballot = create_ballot(election, secret, plaintext, source)
        text = ballot.to_string()
        verify_ballot_string(election, text)  # never publish a vector Python itself refuses
        out.append(
            {
                "name": name,
                "election": election.raw,
                "uuid": election.uuid,
                "fingerprint": election.fingerprint,
                "typed_credential": typing(credential),
                "credential": credential,
                "secret": str(secret),
                "public_credential": GROUP.element_to_string(
                    public_credential(election.uuid, credential)
                ),
                "plaintext": plaintext,
                "randomness": [str(n) for n in source.drawn],
                "ballot": text,
                "tracker": ballot.tracker,
            }
        )
    return out


def _normalisation() -> list[dict[str, str]]:
    typed = [
        "abcde-fghijk-mnopq-rstuvw",
        "abcdefghijkmnopqrstuvw",
        "  ABCDE FGHJKL MNPQR STUVWX  ",
        "\u3000\x1c\x85ABCDE\u2010FGHJKL\u2011MNPQR\u2012STUVWX\u2014\u2000\u205f",
        "12345.6789AB_CDEFG\tHJKLMN\r\n",
        "abcde-fghijk-mnopq-rstuv",  # 21
        "abcde-fghijk-mnopq-rstuvwx",  # 23
        "",
        "   ",
        "a",
        "0OIl0-fghijk-mnopq-rstuvw",  # look-alikes outside base58
        "abcde/fghijk+mnopq=rstuvw",
        "abcdé-fghijk-mnopq-rstuvw",
        "abcde-fghijk-mnopq-rstuv😀",
        "abcde-fghijk-mnopq-rstu\ufffdw",
        "abcde-fghijk-mnopq-rs😀\ufffd\ue000w",  # code-point order, not UTF-16 order
        "abcde\u200bfghijk-mnopq-rstuvw",  # zero-width space: not a separator
        "abcde\x0bfghijk-mnopq-rstuvw",  # inner vertical tab: only stripped at the ends
        "\x0babcdefghijkmnopqrstuvw\x0c",
        "\ufeffabcdefghijkmnopqrstuvw",  # BOM: JS trim() would drop it, Python's strip() not
    ]
    out: list[dict[str, str]] = []
    for t in typed:
        try:
            out.append({"typed": t, "credential": normalise_credential(t)})
        except CredentialError as exc:
            out.append({"typed": t, "error": str(exc)})
    return out


def _elements() -> list[dict[str, str]]:
    order2 = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"
    base = GROUP.element_to_string(GROUP.generator)
    strings = {
        "identity": "0000000000000000000000000000000000000000000000000000000000000001",
        "generator": base,
        "g^2": GROUP.element_to_string(GROUP.mul_base(2)),
        "g^(q-1)": GROUP.element_to_string(GROUP.mul_base(Q - 1)),
        "order 2 (0, -1)": order2,
        "order 4": "0000000000000000000000000000000000000000000000000000000000000000",
        "order 8": bytes.fromhex(ORDER8_RFC8032)[::-1].hex(),
        "identity, y = p + 1 (non-canonical)": f"{2**255 - 18:064x}",
        "order 4, y = p (non-canonical)": f"{2**255 - 19:064x}",
        "off the curve (y = 2)": "0000000000000000000000000000000000000000000000000000000000000002",
        "generator + order-2 point (torsion)": GROUP.element_to_string(
            GROUP.op(GROUP.generator, GROUP.element_of_string(order2))
        ),
        "x = 0 with the sign bit (negative zero)": f"{2**255 + 1:064x}",
        "upper-case hex": GROUP.element_to_string(GROUP.mul_base(2)).upper(),
        "63 characters": base[1:],
        "65 characters": "0" + base,
    }
    out = []
    for name, s in strings.items():
        try:
            e = GROUP.element_of_string(s)
        except GroupError:
            status = "format"
        else:
            status = "member" if GROUP.check(e) else "refused"
        out.append({"name": name, "string": s, "status": status})
    return out


def _json() -> list[dict[str, Any]]:
    values: list[Any] = [
        "plain",
        "/ é – 😀 \u2028 \u2029 < & > '",
        '"\\\b\f\n\r\t\x00\x01\x1f\x7f\x80\x9f',
        {"b": 1, "a": [True, False, None, -3, 0], "é": {"": ""}},
        [],
        {},
        9007199254740991,
    ]
    return [{"value": v, "text": dumps(v)} for v in values]


def build_vectors() -> str:
    """The text of vectors.json (deterministic)."""
    data = {
        "about": "Made by frontend/test/make_vectors.py from the Python crypto core; do not edit.",
        "cases": _cases(),
        "normalisation": _normalisation(),
        "elements": _elements(),
        "json": _json(),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    OUTPUT.write_text(build_vectors(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
