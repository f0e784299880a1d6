"""Write votecode_vectors.json: vote codes ↔ Belenios credentials ↔ public credentials,
normalisation cases and refusals, from the Python side (urne.authority.codes), for the JS
twin (frontend/src/votecode) and the Python tests to check against (ADR 0300).

    .venv/bin/python frontend/test/make_votecode_vectors.py
"""

import json
import random
from pathlib import Path

from urne.authority import codes
from urne.crypto.credentials import public_credential
from urne.crypto.group import GROUP

OUT = Path(__file__).with_name("votecode_vectors.json")


def main() -> None:
    rng = random.Random(20261122)  # noqa: S311 - reproducible test vectors, not secrets
    values = [0, 1, 30, 31, codes.MAX_VALUE - 1] + [
        rng.randrange(codes.MAX_VALUE) for _ in range(20)
    ]
    uuid = "8tVg2uRP3JqDmY"
    mapping = []
    for v in values:
        code = codes.code_from_value(v)
        cred = codes.credential_from_value(v)
        mapping.append(
            {
                "value": str(v),
                "code": code,
                "credential": cred,
                "public_credential": GROUP.element_to_string(public_credential(uuid, cred)),
            }
        )
    code = mapping[7]["code"]
    compact = code.replace("-", "")
    typed = [
        compact,
        compact.lower(),
        " ".join(code.split("-")),
        f"  {code.lower()}  ",
        code.replace("-", "\u2013"),
        "-".join(compact[i : i + 4] for i in range(0, 25, 4)),
        "\ufeff" + code.replace("-", "\u3000") + "\u00a0\n",
    ]
    normalise = [{"typed": t, "code": code} for t in typed]
    refused = []
    for bad, reason in [
        (compact[:-1], "length"),
        (compact + "2", "length"),
        ("", "length"),
        (compact[:3] + "0" + compact[4:], "characters"),
        (compact[:3] + "O" + compact[4:], "characters"),
        (compact[:5] + "l" + compact[6:], "characters"),
        (compact[:5] + "é" + compact[6:], "characters"),
        (compact[:5] + "\u017f" + compact[6:], "characters"),  # long s: upper() would give S
        (compact[:5] + "\U0001f600" + compact[6:], "characters"),
    ]:
        refused.append({"typed": bad, "reason": reason})
    # A few typos: one substitution, one adjacent transposition.
    sub = compact[:10] + codes.ALPHABET[(codes.ALPHABET.index(compact[10]) + 1) % 31] + compact[11:]
    i = next(k for k in range(24) if compact[k] != compact[k + 1])
    swap = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
    refused += [{"typed": sub, "reason": "check"}, {"typed": swap, "reason": "check"}]
    OUT.write_text(
        json.dumps(
            {
                "alphabet": codes.ALPHABET,
                "uuid": uuid,
                "mapping": mapping,
                "normalise": normalise,
                "refused": refused,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
