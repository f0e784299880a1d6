"""The native backend computes exactly what libsodium computes (docs/protocol.md §2.3)."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings as sodium

from urne.crypto import group as group_module
from urne.crypto.group import GENERATOR, IDENTITY, Ed25519Group, Q

native = pytest.importorskip("urne.crypto._ed25519", reason="native backend not built")
LIBSODIUM = Ed25519Group()
NATIVE = group_module.NativeEd25519Group(native)
scalars = st.integers(min_value=0, max_value=Q - 1)
ORDER_2 = bytes.fromhex("ec" + "ff" * 30 + "7f")


def test_the_native_backend_is_the_default_when_built() -> None:
    if os.environ.get("URNE_GROUP_BACKEND") != "libsodium":
        assert isinstance(group_module.GROUP, group_module.NativeEd25519Group)


@settings(max_examples=60, deadline=None)
@given(scalars, scalars, scalars, scalars)
def test_double_mul_agrees_with_libsodium(x: int, y: int, m: int, n: int) -> None:
    a, b = LIBSODIUM.mul_base(x), LIBSODIUM.mul_base(y)
    assert NATIVE.double_mul(a, m, b, n) == LIBSODIUM.double_mul(a, m, b, n)
    assert NATIVE.double_mul(GENERATOR, m, b, n) == LIBSODIUM.double_mul(GENERATOR, m, b, n)


@pytest.mark.parametrize("m, n", [(0, 0), (0, 1), (1, 0), (Q - 1, 1), (Q - 1, Q - 1)])
def test_double_mul_edge_scalars_and_identity(m: int, n: int) -> None:
    a = LIBSODIUM.mul_base(12345)
    for b in (a, IDENTITY, GENERATOR):
        assert NATIVE.double_mul(a, m, b, n) == LIBSODIUM.double_mul(a, m, b, n)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_native_validity_agrees_with_libsodium(raw: bytes) -> None:
    expected = raw == IDENTITY or bool(sodium.crypto_core_ed25519_is_valid_point(raw))
    assert native.is_valid(raw) == expected


def test_native_validity_on_special_points() -> None:
    mixed = sodium.crypto_core_ed25519_add(GENERATOR, ORDER_2)
    assert native.is_valid(IDENTITY) and native.is_valid(GENERATOR)
    assert not native.is_valid(ORDER_2)
    assert not native.is_valid(mixed)
    assert not native.is_valid((2**255 - 19 + 1).to_bytes(32, "little"))  # y ≥ p


def test_native_refuses_bad_input() -> None:
    with pytest.raises(TypeError):
        native.double_mul(b"\0" * 31, GENERATOR, b"\0" * 32, GENERATOR)
    with pytest.raises(ValueError, match="not a point"):
        native.double_mul(b"\0" * 32, b"\x02" + b"\0" * 31, b"\0" * 32, GENERATOR)
    with pytest.raises(ValueError, match="reduced"):
        native.double_mul(b"\xff" * 32, GENERATOR, b"\0" * 32, GENERATOR)
