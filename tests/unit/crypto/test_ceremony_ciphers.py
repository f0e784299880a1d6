"""The ceremony's AES-GCM channels (ADR 0720) and passphrase-wrapped key files (ADR 0721)."""

from __future__ import annotations

import pytest

from urne.ceremony import SeededRandom
from urne.crypto.keywrap import WrapError, unwrap, wrap
from urne.crypto.threshold import (
    AES_GCM,
    Context,
    EncryptedMessage,
    decrypt_key_share,
    step1,
    step3,
    step4,
    step5,
    step6,
)


def test_a_gcm_group_writes_gcm_shares_that_open() -> None:
    rnd = SeededRandom("gcm")
    firsts = [step1(Context(i, 2, 3), rnd.choice, rnd.scalar) for i in (1, 2, 3)]
    certs = [c for _, c in firsts]
    polys = [step3(certs, seed, rnd.scalar, AES_GCM) for seed, _ in firsts]
    assert all(EncryptedMessage.of_string(p.polynomial).algorithm == AES_GCM for p in polys)
    vinputs = step4(certs, polys)
    vouts = [step5(certs, s, v, rnd.scalar) for (s, _), v in zip(firsts, vinputs, strict=True)]
    _, dkeys = step6(certs, polys, vouts)
    assert all(dkey.startswith('{"algorithm":"AES-GCM",') for dkey in dkeys)
    for (seed, _), dkey in zip(firsts, dkeys, strict=True):
        decrypt_key_share(seed, dkey)


def test_wrapped_file_opens_only_with_its_passphrase() -> None:
    text = wrap('"12345"', "correct horse", "ABCD1234.privkey", n=2**14)
    assert unwrap(text, "correct horse") == ("ABCD1234.privkey", '"12345"')
    with pytest.raises(WrapError):
        unwrap(text, "wrong horse")
    with pytest.raises(WrapError):
        unwrap(text.replace("ABCD1234", "ABCD1235"), "correct horse")
