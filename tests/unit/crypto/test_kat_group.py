"""The Ed25519 group as Belenios encodes it (docs/protocol.md §2.3): known encodings, parsing,
and membership (identity in; small order, torsion, off-curve, non-canonical out)."""

from __future__ import annotations

import pytest

from urne.crypto.group import GENERATOR, GROUP, IDENTITY, GroupError, Q, scalar_of_string

P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE_Y = 4 * pow(5, -1, P) % P

BASE_HEX = "6666666666666666666666666666666666666666666666666666666666666658"
IDENTITY_HEX = "0000000000000000000000000000000000000000000000000000000000000001"
ORDER2_HEX = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec"


def encode(x: int, y: int) -> str:
    """Belenios's encoding of an affine point: y with bit 255 = x mod 2, big-endian hex."""
    return f"{y | ((x & 1) << 255):064x}"


def on_curve(x: int, y: int) -> bool:
    return (-x * x + y * y - 1 - D * x * x * y * y) % P == 0


def has_x(y: int) -> bool:
    """Whether some x puts (x, y) on the curve: (y²−1)/(d·y²+1) is a square mod p."""
    u = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    return u == 0 or pow(u, (P - 1) // 2, P) == 1


def element(hex_string: str):
    return GROUP.element_of_string(hex_string)


def test_base_point_is_the_byte_reverse_of_rfc8032():
    assert GROUP.element_to_string(GENERATOR) == BASE_HEX
    assert bytes(GENERATOR).hex() == "58" + "66" * 31
    assert on_curve(BASE_X, BASE_Y)
    assert BASE_X % 2 == 0
    assert encode(BASE_X, BASE_Y) == BASE_HEX
    assert GROUP.mul_base(1) == GENERATOR


def test_identity_encoding():
    assert GROUP.element_to_string(IDENTITY) == IDENTITY_HEX
    assert element(IDENTITY_HEX) == IDENTITY
    assert GROUP.mul_base(0) == IDENTITY
    assert GROUP.mul_base(Q) == IDENTITY
    assert GROUP.mul(GENERATOR, Q) == IDENTITY


def test_string_round_trip_of_a_vector_key(vectors):
    text = "1660431464945b50a34aa2a73ad42371fda2338f7612b5a2f4333d8a1e532f64"
    assert GROUP.element_to_string(vectors.election.public_key) == text
    assert GROUP.element_to_string(element(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "1660431464945B50A34AA2A73AD42371FDA2338F7612B5A2F4333D8A1E532F64",  # uppercase
        "1660431464945b50a34aa2a73ad42371fda2338f7612b5a2f4333d8a1e532F64",  # one uppercase
        "g660431464945b50a34aa2a73ad42371fda2338f7612b5a2f4333d8a1e532f64",  # not hex
        " 660431464945b50a34aa2a73ad42371fda2338f7612b5a2f4333d8a1e532f64",
        "0x60431464945b50a34aa2a73ad42371fda2338f7612b5a2f4333d8a1e532f64",
        BASE_HEX[:-1],  # 63 chars
        BASE_HEX + "8",  # 65 chars
        "",
        "1",
    ],
)
def test_element_of_string_refuses_bad_encodings(text):
    with pytest.raises(GroupError):
        element(text)


def test_check_accepts_identity_and_generator_and_powers():
    assert GROUP.check(IDENTITY)
    assert GROUP.check(GENERATOR)
    for k in (2, 12345, Q - 1):
        assert GROUP.check(GROUP.mul_base(k))


def test_check_refuses_the_order_2_point():
    assert on_curve(0, P - 1)
    assert encode(0, P - 1) == ORDER2_HEX
    assert not GROUP.check(element(ORDER2_HEX))


def test_check_refuses_other_small_order_points():
    # (0, -1) has order 2; the order-4 points have y = 0; the order-8 ones are more involved.
    sqrt_m1 = pow(2, (P - 1) // 4, P)  # sqrt(-1) mod p
    assert on_curve(sqrt_m1, 0)
    assert not GROUP.check(element(encode(sqrt_m1, 0)))
    assert not GROUP.check(element(encode(P - sqrt_m1, 0)))


def test_check_refuses_a_point_with_a_torsion_component():
    # B + T2 with T2 = (0, -1) is (-x_B, -y_B): on the curve, but of order 2·l.
    x, y = (-BASE_X) % P, (-BASE_Y) % P
    assert on_curve(x, y)
    torsion = element(encode(x, y))
    assert not GROUP.check(torsion)
    # while -B = (-x_B, y_B) is a member
    assert GROUP.check(element(encode((-BASE_X) % P, BASE_Y)))
    assert element(encode((-BASE_X) % P, BASE_Y)) == GROUP.invert(GENERATOR)


def test_check_refuses_a_point_off_the_curve():
    y = next(y for y in range(2, 100) if not has_x(y))
    assert not GROUP.check(element(f"{y:064x}"))


def test_check_refuses_non_canonical_coordinates():
    # y = p + 1 ≡ 1 (the identity's y) is written with a value ≥ p
    assert not GROUP.check(element(f"{P + 1:064x}"))
    # y = 1 with the sign bit set: "x = -0"
    assert not GROUP.check(element(f"{1 | (1 << 255):064x}"))


def test_group_law_against_the_generator():
    a, b = 1234567, 7654321
    ga, gb = GROUP.mul_base(a), GROUP.mul_base(b)
    assert GROUP.op(ga, gb) == GROUP.mul_base(a + b)
    assert GROUP.div(ga, gb) == GROUP.mul_base(a - b)
    assert GROUP.op(ga, GROUP.invert(ga)) == IDENTITY
    assert GROUP.double_mul(GENERATOR, a, gb, 3) == GROUP.mul_base(a + 3 * b)
    assert GROUP.mul(ga, b) == GROUP.mul_base(a * b)
    assert GROUP.op(IDENTITY, ga) == ga
    assert GROUP.div(ga, IDENTITY) == ga


def test_hash_to_scalar_is_sha256_of_the_joined_strings_mod_q():
    import hashlib

    text = f"prefix|{BASE_HEX},{IDENTITY_HEX}"
    expected = int(hashlib.sha256(text.encode()).hexdigest(), 16) % Q
    assert GROUP.hash_to_scalar("prefix|", [GENERATOR, IDENTITY]) == expected


@pytest.mark.parametrize("text", ["-1", "01", "1.0", " 1", str(Q), "x", "", "١"])
def test_scalar_of_string_refuses(text):
    with pytest.raises(GroupError):
        scalar_of_string(text)


def test_scalar_of_string_accepts():
    assert scalar_of_string("0") == 0
    assert scalar_of_string(str(Q - 1)) == Q - 1
