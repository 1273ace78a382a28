"""alt_bn128 precompiles ecAdd (0x06), ecMul (0x07), ecPairing (0x08) of the guest against
py_ecc: random points and scalars, the point at infinity, invalid encodings (coordinates ≥ p,
points off the curve, G2 points off the twist or outside the order-r subgroup), input padding,
pairing checks that hold and that fail, and the EIP-1108 gas."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from core_driver import NativeDriver
from crypto_driver import (
    BN_P,
    BN_R,
    PRECOMPILE_FAIL,
    PRECOMPILE_OK,
    PRECOMPILE_OOG,
    be32,
    open_driver,
    precompile,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as bn

ADD, MUL, PAIRING = 6, 7, 8
GAS = 10**9


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def enc_g1(p: Any) -> bytes:
    """EIP-196 encoding of a G1 point (infinity as 64 zero bytes)."""
    if bn.is_inf(p):
        return bytes(64)
    x, y = bn.normalize(p)
    return be32(int(x)) + be32(int(y))


def enc_fq2(a: Any) -> bytes:
    """EIP-197 encoding of an Fp2 element a0 + a1·i: a1 ‖ a0."""
    c0, c1 = (int(c) for c in a.coeffs)
    return be32(c1) + be32(c0)


def enc_g2(q: Any) -> bytes:
    """EIP-197 encoding of a G2 point (infinity as 128 zero bytes)."""
    if bn.is_inf(q):
        return bytes(128)
    x, y = bn.normalize(q)
    return enc_fq2(x) + enc_fq2(y)


def g1(k: int) -> Any:
    """k·G1."""
    return bn.multiply(bn.G1, k % BN_R) if k % BN_R else bn.Z1


def g2(k: int) -> Any:
    """k·G2."""
    return bn.multiply(bn.G2, k % BN_R) if k % BN_R else bn.Z2


def fq2_sqrt(a: Any) -> Any | None:
    """A square root in Fp2 (p ≡ 3 mod 4) by the norm method, None for a non-square."""
    a0, a1 = (int(c) for c in a.coeffs)
    norm = (a0 * a0 + a1 * a1) % BN_P
    alpha = pow(norm, (BN_P + 1) // 4, BN_P)
    if alpha * alpha % BN_P != norm:
        return None
    for delta in ((a0 + alpha) * pow(2, -1, BN_P) % BN_P, (a0 - alpha) * pow(2, -1, BN_P) % BN_P):
        x0 = pow(delta, (BN_P + 1) // 4, BN_P)
        if x0 * x0 % BN_P == delta and x0:
            cand = bn.FQ2([x0, a1 * pow(2 * x0, -1, BN_P) % BN_P])
            if cand * cand == a:
                return cand
    return None


def twist_point_outside_subgroup(seed: int) -> bytes:
    """An encoded point on the twist y^2 = x^3 + 3/(9+i) that is not in the order-r subgroup."""
    for k in range(seed, seed + 1000):
        x = bn.FQ2([k, 1])
        y = fq2_sqrt(x**3 + bn.b2)
        if y is not None:
            q = (x, y, bn.FQ2.one())
            assert bn.is_on_curve(q, bn.b2)
            assert not bn.is_inf(bn.multiply(q, BN_R))
            return enc_fq2(x) + enc_fq2(y)
    raise AssertionError("no twist point found")


H2 = 2 * BN_P - BN_R  # the cofactor of G2 in the twist group E'(Fp2)
SMALL_FACTOR = 10069  # a prime factor of H2


def random_twist_point(rng: random.Random) -> Any:
    """A uniformly random point of the twist y^2 = x^3 + 3/(9+i) over Fp2 (Jacobian, Z = 1)."""
    while True:
        x = bn.FQ2([rng.randrange(BN_P), rng.randrange(BN_P)])
        y = fq2_sqrt(x**3 + bn.b2)
        if y is not None:
            return (x, y, bn.FQ2.one())


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**64))
def test_g2_subgroup_check_is_r_torsion(drv: NativeDriver, seed: int) -> None:
    """A twist point passes the guest's subgroup check exactly when r·Q = O (py-evm's test):
    random twist points, a point T of small order (10069, a factor of the cofactor), a subgroup
    point plus T, and a subgroup point."""
    assert H2 % SMALL_FACTOR == 0
    rng = random.Random(seed)
    p = random_twist_point(rng)
    assert bn.is_inf(bn.multiply(p, BN_R * H2))  # the group order is r·h2
    t = bn.multiply(p, BN_R * (H2 // SMALL_FACTOR))
    q = g2(rng.randrange(1, BN_R))
    for c in (p, t, bn.add(q, t), q):
        if bn.is_inf(c):
            continue
        in_g2 = bn.is_inf(bn.multiply(c, BN_R))
        status, _, _ = precompile(drv, PAIRING, enc_g1(bn.G1) + enc_g2(c), 10**6)
        assert (status == PRECOMPILE_OK) == in_g2


scalars = st.one_of(
    st.integers(0, 2**256 - 1),
    st.sampled_from([0, 1, 2, BN_R - 1, BN_R, BN_R + 1, 2**256 - 1]),
)


@settings(max_examples=60, deadline=None)
@given(scalars, scalars)
def test_add_matches_py_ecc(drv: NativeDriver, a: int, b: int) -> None:
    """A + B for multiples of the generator, including infinity, doubling and A + (-A)."""
    pa, pb = g1(a), g1(b)
    for x, y in ((pa, pb), (pa, pa), (pa, bn.neg(pa)), (bn.Z1, pb)):
        assert precompile(drv, ADD, enc_g1(x) + enc_g1(y), GAS) == (PRECOMPILE_OK, 150, enc_g1(bn.add(x, y)))


@settings(max_examples=40, deadline=None)
@given(scalars, scalars)
def test_mul_matches_py_ecc(drv: NativeDriver, a: int, k: int) -> None:
    """k·A for full 256-bit scalars (not reduced modulo r by the caller)."""
    pa = g1(a)
    expected = bn.multiply(pa, k) if k else bn.Z1
    assert precompile(drv, MUL, enc_g1(pa) + be32(k), GAS) == (PRECOMPILE_OK, 6000, enc_g1(expected))


@settings(max_examples=40, deadline=None)
@given(scalars, scalars, st.integers(0, 200))
def test_input_padding(drv: NativeDriver, a: int, b: int, cut: int) -> None:
    """Inputs shorter than 128/96 bytes are zero-padded; longer ones are truncated."""
    full = enc_g1(g1(a)) + enc_g1(g1(b))
    data = (full + bytes(80))[:cut]
    padded = (data + bytes(128))[:128]
    ref = precompile(drv, ADD, padded, GAS)
    assert precompile(drv, ADD, data, GAS) == ref
    data96 = (enc_g1(g1(a)) + be32(b) + bytes(80))[:cut]
    assert precompile(drv, MUL, data96, GAS) == precompile(drv, MUL, (data96 + bytes(96))[:96], GAS)


def invalid_g1_encodings() -> list[bytes]:
    """G1 encodings that must be refused."""
    x, y = (int(c) for c in bn.normalize(g1(5)))
    return [
        be32(x + BN_P) + be32(y) if x + BN_P < 2**256 else be32(BN_P) + be32(y),
        be32(x) + be32(y + BN_P),
        be32(BN_P) + be32(0),
        be32(1) + be32(3),  # off the curve
        be32(0) + be32(1),  # (0, 1) is not infinity and not on the curve
        be32(x) + be32((y + 1) % BN_P),
        bytes([0xFF] * 64),
    ]


@pytest.mark.parametrize("bad", invalid_g1_encodings())
def test_invalid_g1_points_fail_with_all_gas(drv: NativeDriver, bad: bytes) -> None:
    """An invalid G1 point fails every curve precompile and consumes all the gas given."""
    good = enc_g1(g1(7))
    for addr, data in ((ADD, bad + good), (ADD, good + bad), (MUL, bad + be32(3)),
                       (PAIRING, bad + enc_g2(g2(3)))):
        assert precompile(drv, addr, data, 500_000) == (PRECOMPILE_FAIL, 500_000, b"")


def test_gas_and_out_of_gas(drv: NativeDriver) -> None:
    """EIP-1108 prices: 150, 6000, 45000 + 34000·k; one below fails with all gas."""
    p, q = enc_g1(g1(3)), enc_g2(g2(4))
    cases = [(ADD, p + p, 150), (MUL, p + be32(5), 6000), (PAIRING, b"", 45000), (PAIRING, p + q, 79000),
             (PAIRING, (p + q) * 3, 45000 + 3 * 34000)]
    for addr, data, price in cases:
        status, used, _ = precompile(drv, addr, data, price)
        assert (status, used) == (PRECOMPILE_OK, price)
        assert precompile(drv, addr, data, price - 1) == (PRECOMPILE_OOG, price - 1, b"")


def pairing_word(ok: bool) -> bytes:
    """The 32-byte output of ecPairing."""
    return be32(int(ok))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, BN_R - 1), st.integers(1, BN_R - 1), st.integers(1, BN_R - 1))
def test_pairing_bilinearity(drv: NativeDriver, a: int, b: int, c: int) -> None:
    """e(aP, bQ)·e(-abP, Q) = 1 holds; e(aP, bQ)·e(-cP, Q) = 1 fails for c ≠ ab; swapping
    which side carries the scalar does not matter."""
    lhs = enc_g1(g1(a)) + enc_g2(g2(b))
    good = lhs + enc_g1(bn.neg(g1(a * b))) + enc_g2(bn.G2)
    assert precompile(drv, PAIRING, good, GAS) == (PRECOMPILE_OK, 113000, pairing_word(True))
    other = enc_g1(bn.neg(bn.G1)) + enc_g2(g2(a * b))
    assert precompile(drv, PAIRING, lhs + other, GAS)[2] == pairing_word(True)
    bad_c = c if c != a * b % BN_R else c + 1
    bad = lhs + enc_g1(bn.neg(g1(bad_c))) + enc_g2(bn.G2)
    assert precompile(drv, PAIRING, bad, GAS)[2] == pairing_word(False)


def test_pairing_edge_cases(drv: NativeDriver) -> None:
    """Empty input holds; pairs with a point at infinity contribute 1; a single nontrivial pair
    does not hold (non-degeneracy); lengths that are not a multiple of 192 fail."""
    p, q = enc_g1(bn.G1), enc_g2(bn.G2)
    assert precompile(drv, PAIRING, b"", GAS) == (PRECOMPILE_OK, 45000, pairing_word(True))
    assert precompile(drv, PAIRING, bytes(64) + q, GAS)[2] == pairing_word(True)
    assert precompile(drv, PAIRING, p + bytes(128), GAS)[2] == pairing_word(True)
    assert precompile(drv, PAIRING, p + q, GAS)[2] == pairing_word(False)
    assert precompile(drv, PAIRING, p + q + bytes(64) + q, GAS)[2] == pairing_word(False)
    for n in (1, 191, 193, 383):
        assert precompile(drv, PAIRING, (p + q + p + q)[:n], 10**6) == (PRECOMPILE_FAIL, 10**6, b"")


def test_invalid_g2_points_fail(drv: NativeDriver) -> None:
    """G2 coordinates ≥ p, points off the twist and twist points outside the subgroup fail."""
    p, q = enc_g1(bn.G1), enc_g2(bn.G2)
    bad = [
        be32(BN_P) + q[32:],
        q[:32] + be32(BN_P) + q[64:],
        q[:64] + be32(BN_P) + q[96:],
        q[:96] + be32(BN_P),
        q[:127] + bytes([q[127] ^ 1]),  # off the twist
        twist_point_outside_subgroup(1),
        twist_point_outside_subgroup(77),
    ]
    for b in bad:
        assert precompile(drv, PAIRING, p + b, 10**6) == (PRECOMPILE_FAIL, 10**6, b"")
        # an invalid point fails even next to a point at infinity, and after a valid pair
        assert precompile(drv, PAIRING, bytes(64) + b, 10**6) == (PRECOMPILE_FAIL, 10**6, b"")
        assert precompile(drv, PAIRING, p + q + p + b, 10**6) == (PRECOMPILE_FAIL, 10**6, b"")


@settings(max_examples=2, deadline=None)
@given(st.lists(st.tuples(st.integers(1, BN_R - 1), st.integers(1, BN_R - 1)), min_size=1, max_size=3))
def test_pairing_product_matches_py_ecc(drv: NativeDriver, pairs: list[tuple[int, int]]) -> None:
    """For random pairs whose discrete logs sum to zero or not, the check equals py_ecc's."""
    pairs = pairs + [(-sum(a * b for a, b in pairs) % BN_R, 1)]
    if len(pairs) % 2:
        pairs[0] = (pairs[0][0] + 1, pairs[0][1])  # make some cases fail
    prod = bn.FQ12.one()
    data = b""
    for a, b in pairs:
        prod = prod * bn.pairing(g2(b), g1(a))
        data += enc_g1(g1(a)) + enc_g2(g2(b))
    assert precompile(drv, PAIRING, data, GAS)[2] == pairing_word(prod == bn.FQ12.one())
