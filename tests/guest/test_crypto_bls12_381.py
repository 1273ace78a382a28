"""The guest's BLS12-381 library against Python integers and py_ecc: Fp and Fp2 arithmetic and
square roots, the Fp12 tower (products, inverses, Frobenius maps, the cyclotomic squaring, the
sparse line product), G1 and G2 in ZCash's compressed encoding (round trips, bad flags, x ≥ p,
points off the curve and points on it outside the order-r subgroup), scalar multiplication, and
the pairing (its value, bilinearity, the pairing-product check)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from bls_driver import (
    BLS_FP2_LARGE,
    BLS_FP2_MUL_XI,
    OP_BLS_FP,
    OP_BLS_FP2,
    OP_BLS_PAIRING,
    POINT_ADD,
    POINT_DECODE,
    POINT_MUL,
    POINT_ON_CURVE,
    P,
    R,
    be48,
    dec_fp2,
    dec_fp12,
    enc_fp2,
    fp12_op,
    from_py_ecc,
    g1_bytes,
    g2_bytes,
    parse_point,
    point_op,
    to_py_ecc,
)
from core_driver import NativeDriver
from crypto_driver import MONT_ADD, MONT_INV, MONT_MUL, MONT_NEG, MONT_SQR, MONT_SQRT, MONT_SUB, open_driver
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bls12_381 as bls
from py_ecc.bls.point_compression import modular_squareroot_in_FQ2

FP = st.integers(0, P - 1)


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def fp(drv: NativeDriver, op: int, a: int, b: int = 0) -> int | None:
    """One Fp operation of the guest (None: no square root)."""
    status, out = drv.call(OP_BLS_FP, bytes([op]) + be48(a) + be48(b))
    assert status in (0, 1)
    return int.from_bytes(out, "big") if status == 0 else None


def fp2(drv: NativeDriver, op: int, a: tuple[int, int], b: tuple[int, int] = (0, 0)) -> tuple[int, int] | None:
    """One Fp2 operation of the guest (None: no square root)."""
    status, out = drv.call(OP_BLS_FP2, bytes([op]) + enc_fp2(a) + enc_fp2(b))
    assert status in (0, 1)
    return dec_fp2(out) if status == 0 else None


@settings(max_examples=150, derandomize=True, deadline=None)
@given(FP, FP)
def test_fp_arithmetic(drv: NativeDriver, a: int, b: int) -> None:
    """Add, sub, neg, mul, sqr, inv match Python integers modulo p."""
    assert fp(drv, MONT_ADD, a, b) == (a + b) % P
    assert fp(drv, MONT_SUB, a, b) == (a - b) % P
    assert fp(drv, MONT_NEG, a) == -a % P
    assert fp(drv, MONT_MUL, a, b) == a * b % P
    assert fp(drv, MONT_SQR, a) == a * a % P
    assert fp(drv, MONT_INV, a) == (pow(a, -1, P) if a else 0)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(FP)
def test_fp_sqrt(drv: NativeDriver, a: int) -> None:
    """A root exactly for the quadratic residues (Euler's criterion)."""
    root = fp(drv, MONT_SQRT, a)
    is_square = pow(a, (P - 1) // 2, P) in (0, 1)
    assert (root is not None) == is_square
    assert root is None or root * root % P == a


def test_fp_edges(drv: NativeDriver) -> None:
    """Extremes of the range, and inputs ≥ p refused by the driver's decoding."""
    for a in (0, 1, P - 1, P // 2, 2**380):
        assert fp(drv, MONT_MUL, a, P - 1) == a * (P - 1) % P
        assert fp(drv, MONT_ADD, a, P - 1) == (a + P - 1) % P
    status, _ = drv.call(OP_BLS_FP, bytes([MONT_ADD]) + be48(P) + be48(0))
    assert status != 0


def fq2(a: tuple[int, int]) -> Any:
    """py_ecc's FQ2 of (c0, c1)."""
    return bls.FQ2([a[0], a[1]])


def pair(v: Any) -> tuple[int, int]:
    """(c0, c1) of a py_ecc FQ2."""
    return int(v.coeffs[0]), int(v.coeffs[1])


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.tuples(FP, FP), st.tuples(FP, FP))
def test_fp2_arithmetic(drv: NativeDriver, a: tuple[int, int], b: tuple[int, int]) -> None:
    """Mul, sqr, inv, the product by xi = 1 + u, and the sign order match py_ecc's FQ2."""
    assert fp2(drv, MONT_MUL, a, b) == pair(fq2(a) * fq2(b))
    assert fp2(drv, MONT_SQR, a) == pair(fq2(a) * fq2(a))
    assert fp2(drv, BLS_FP2_MUL_XI, a) == pair(fq2(a) * bls.FQ2([1, 1]))
    if a != (0, 0):
        assert fp2(drv, MONT_INV, a) == pair(fq2(a).inv())
    status, out = drv.call(OP_BLS_FP2, bytes([BLS_FP2_LARGE]) + enc_fp2(a) + enc_fp2(b))
    assert out[0] == ((a[1] > P // 2) if a[1] else (a[0] > P // 2))


@settings(max_examples=25, derandomize=True, deadline=None)
@given(st.tuples(FP, FP))
def test_fp2_sqrt(drv: NativeDriver, a: tuple[int, int]) -> None:
    """Roots of squares square back; non-squares (norm a non-residue) have none."""
    square = pair(fq2(a) * fq2(a))
    root = fp2(drv, MONT_SQRT, square)
    assert root is not None and pair(fq2(root) * fq2(root)) == square
    norm = (a[0] * a[0] + a[1] * a[1]) % P
    is_square = pow(norm, (P - 1) // 2, P) in (0, 1)
    assert (fp2(drv, MONT_SQRT, a) is not None) == is_square


def random_fp12(rng: random.Random) -> list[tuple[int, int]]:
    """A random Fp12 element as tower coefficients."""
    return [(rng.randrange(P), rng.randrange(P)) for _ in range(6)]


@pytest.mark.parametrize("seed", range(3))
def test_fp12_against_py_ecc(drv: NativeDriver, seed: int) -> None:
    """Mul, sqr, inv, conj (= the p^6 power) and the Frobenius maps match py_ecc's FQ12."""
    rng = random.Random(seed)
    a, b = random_fp12(rng), random_fp12(rng)
    pa, pb = to_py_ecc(a), to_py_ecc(b)
    assert from_py_ecc(pa) == a
    assert fp12_op(drv, "mul", a, b) == from_py_ecc(pa * pb)
    assert fp12_op(drv, "sqr", a) == from_py_ecc(pa * pa)
    assert fp12_op(drv, "inv", a) == from_py_ecc(pa.inv())
    assert fp12_op(drv, "frob", a) == from_py_ecc(pa**P)
    assert fp12_op(drv, "frob2", a) == from_py_ecc(pa ** (P * P))
    if seed == 0:
        assert fp12_op(drv, "conj", a) == from_py_ecc(pa ** (P**6))


@pytest.mark.parametrize("seed", range(3))
def test_cyclotomic_squaring_and_line(drv: NativeDriver, seed: int) -> None:
    """On an element of the cyclotomic subgroup (after the easy part) the cyclotomic squaring is
    the square; the sparse line product is the full product by a + b v + c v w."""
    rng = random.Random(seed + 10)
    a = random_fp12(rng)
    m = fp12_op(drv, "easy", a)
    pm = to_py_ecc(m)
    assert fp12_op(drv, "cyclo_sqr", m) == from_py_ecc(pm * pm)
    assert fp12_op(drv, "mul", m, fp12_op(drv, "conj", m)) == from_py_ecc(bls.FQ12.one())  # conj = inverse
    la, lb, lc = random_fp12(rng)[:3]
    line = [la, (0, 0), lb, lc, (0, 0), (0, 0)]  # w^0, w^1, w^2 = v, w^3 = v w, ...
    arg = [la, lb, lc, (0, 0), (0, 0), (0, 0)]  # the driver reads a, b, c from c0.c0, c0.c1, c0.c2
    struct_order_arg = [arg[0], arg[3], arg[1], arg[4], arg[2], arg[5]]  # powers 0, 1, 2, 3, 4, 5
    assert fp12_op(drv, "line", a, struct_order_arg) == from_py_ecc(to_py_ecc(a) * to_py_ecc(line))


def g1_outside_subgroup(seed: int) -> bytes:
    """The compressed encoding of a point on y^2 = x^3 + 4 outside G1."""
    rng = random.Random(seed)
    while True:
        x = rng.randrange(P)
        rhs = (x**3 + 4) % P
        if pow(rhs, (P - 1) // 2, P) == 1:
            y = pow(rhs, (P + 1) // 4, P)
            pt = (bls.FQ(x), bls.FQ(y), bls.FQ.one())
            if not bls.is_inf(bls.multiply(pt, R)):
                return g1_bytes(pt)


def g2_outside_subgroup(seed: int) -> bytes:
    """The compressed encoding of a point on the twist outside G2."""
    rng = random.Random(seed)
    while True:
        x = bls.FQ2([rng.randrange(P), rng.randrange(P)])
        y = modular_squareroot_in_FQ2(x**3 + bls.b2)
        if y is not None:
            pt = (x, y, bls.FQ2.one())
            if not bls.is_inf(bls.multiply(pt, R)):
                return g2_bytes(pt)


@pytest.mark.parametrize("g2", [False, True])
def test_point_round_trips(drv: NativeDriver, g2: bool) -> None:
    """Decoding py_ecc's encodings of multiples of the generator (and infinity) gives the same
    affine point, in the subgroup, and re-encodes byte for byte; add and mul agree with py_ecc."""
    gen, enc = (bls.G2, g2_bytes) if g2 else (bls.G1, g1_bytes)
    rng = random.Random(int(g2))
    for k in [1, 2, 3, R - 1, *(rng.randrange(R) for _ in range(4))]:
        pt = bls.multiply(gen, k)
        status, out = point_op(drv, POINT_DECODE, enc(pt), g2=g2)
        inf, in_group, coords, again = parse_point(out, g2)
        x, y = bls.normalize(pt)
        want = (pair(x) + pair(y)) if g2 else (int(x), int(y))
        assert (status, inf, in_group, coords, again) == (0, False, True, want, enc(pt))
    infinity = bytes([0xC0]) + bytes(95 if g2 else 47)
    status, out = point_op(drv, POINT_DECODE, infinity, g2=g2)
    assert status == 0 and parse_point(out, g2)[:2] == (True, True) and parse_point(out, g2)[3] == infinity
    a, b, k = bls.multiply(gen, 1234), bls.multiply(gen, 98765), rng.randrange(2**256)
    _, out = point_op(drv, POINT_ADD, enc(a) + enc(b), g2=g2)
    assert parse_point(out, g2)[3] == enc(bls.add(a, b))
    _, out = point_op(drv, POINT_ADD, enc(a) + enc(a), g2=g2)  # doubling through the addition
    assert parse_point(out, g2)[3] == enc(bls.double(a))
    _, out = point_op(drv, POINT_MUL, enc(a) + k.to_bytes(32, "big"), g2=g2)
    assert parse_point(out, g2)[3] == enc(bls.multiply(a, k % R))


@pytest.mark.parametrize("g2", [False, True])
def test_points_outside_the_subgroup(drv: NativeDriver, g2: bool) -> None:
    """Points on the curve outside the order-r subgroup decode, and the subgroup check says no."""
    for seed in range(3):
        data = g2_outside_subgroup(seed) if g2 else g1_outside_subgroup(seed)
        status, out = point_op(drv, POINT_DECODE, data, g2=g2)
        inf, in_group, _, again = parse_point(out, g2)
        assert (status, inf, in_group, again) == (0, False, False, data)


@pytest.mark.parametrize("g2", [False, True])
def test_bad_encodings(drv: NativeDriver, g2: bool) -> None:
    """Rejected: no compression flag, infinity with the sign flag or any other bit, x ≥ p (in
    either half for G2), x not on the curve."""
    size = 96 if g2 else 48
    good = g2_bytes(bls.multiply(bls.G2, 5)) if g2 else g1_bytes(bls.multiply(bls.G1, 5))
    top = P | (1 << 383)
    bad = [
        bytes([good[0] & 0x7F]) + good[1:],
        bytes([0xE0]) + bytes(size - 1),
        bytes([0xC0]) + bytes(size - 2) + b"\x01",
        bytes([0xC1]) + bytes(size - 1),
        top.to_bytes(48, "big") + good[48:],
        ((P + 1) | (1 << 383)).to_bytes(48, "big") + good[48:],
    ]
    if g2:
        bad.append(good[:48] + P.to_bytes(48, "big"))
    else:
        bad.append(((1 << 383) | 3).to_bytes(48, "big"))  # 3^3 + 4 = 31 is not a square mod p
    # an x off the curve: find one whose right-hand side is no square
    for x in range(1, 50):
        if g2:
            if modular_squareroot_in_FQ2(bls.FQ2([x, 1]) ** 3 + bls.b2) is None:
                bad.append(((1 << 383) | 1).to_bytes(48, "big") + x.to_bytes(48, "big"))
                break
        elif pow((x**3 + 4) % P, (P - 1) // 2, P) == P - 1:
            bad.append(((1 << 383) | x).to_bytes(48, "big"))
            break
    for data in bad:
        assert point_op(drv, POINT_DECODE, data, g2=g2)[0] == 1, data.hex()


def test_on_curve_check(drv: NativeDriver) -> None:
    """The affine on-curve checks (for EIP-2537's uncompressed points later)."""
    x, y = bls.normalize(bls.multiply(bls.G1, 7))
    ok = be48(int(x)) + be48(int(y))
    assert point_op(drv, POINT_ON_CURVE, ok, affine=True)[1] == b"\x01"
    assert point_op(drv, POINT_ON_CURVE, be48(int(x)) + be48(int(y) + 1), affine=True)[1] == b"\x00"
    x2, y2 = bls.normalize(bls.multiply(bls.G2, 7))
    ok2 = enc_fp2(pair(x2)) + enc_fp2(pair(y2))
    assert point_op(drv, POINT_ON_CURVE, ok2, g2=True, affine=True)[1] == b"\x01"
    bad2 = enc_fp2(pair(x2)) + enc_fp2(pair(y2 + bls.FQ2([0, 1])))
    assert point_op(drv, POINT_ON_CURVE, bad2, g2=True, affine=True)[1] == b"\x00"


def pairing_check(drv: NativeDriver, pairs: list[tuple[Any, Any]]) -> tuple[bool, bytes]:
    """The guest's pairing-product check (and, for one pair, the pairing's value)."""
    status, out = drv.call(OP_BLS_PAIRING, b"".join(g1_bytes(p) + g2_bytes(q) for p, q in pairs))
    assert status == 0
    return bool(out[0]), out[1:]


def test_pairing_value(drv: NativeDriver) -> None:
    """The pairing's value is py_ecc's, inverted (the guest conjugates for x < 0, py_ecc does
    not) and cubed (the final exponentiation's chain computes the cube)."""
    p, q = bls.multiply(bls.G1, 5), bls.multiply(bls.G2, 7)
    _, value = pairing_check(drv, [(p, q)])
    assert dec_fp12(value) == from_py_ecc(bls.pairing(q, p).inv() ** 3)


def test_pairing_bilinearity(drv: NativeDriver) -> None:
    """e(aP, bQ)·e(-abP, Q) = 1; e(aP, Q)·e(P, -aQ) = 1; a wrong product fails; infinity is 1."""
    a, b = 1234567, 7654321
    g1, g2 = bls.G1, bls.G2
    assert pairing_check(drv, [(bls.multiply(g1, a), bls.multiply(g2, b)), (bls.neg(bls.multiply(g1, a * b)), g2)])[0]
    assert pairing_check(drv, [(bls.multiply(g1, a), g2), (g1, bls.neg(bls.multiply(g2, a)))])[0]
    assert not pairing_check(drv, [(bls.multiply(g1, a), g2), (g1, bls.neg(bls.multiply(g2, a + 1)))])[0]
    assert not pairing_check(drv, [(g1, g2)])[0]
    assert pairing_check(drv, [(bls.Z1, g2), (g1, bls.Z2)])[0]
    assert pairing_check(drv, [])[0]


G1_COFACTOR = 0x396C8C005555E1568C00AAAB0000AAAB  # (x - 1)^2 / 3 = 3 · 11^2 · 10177^2 · 859267^2 · 52437899^2


def random_curve_point(rng: random.Random) -> Any:
    """A random point of E(Fp) (almost surely outside G1)."""
    while True:
        x = rng.randrange(P)
        rhs = (x**3 + 4) % P
        if pow(rhs, (P - 1) // 2, P) == 1:
            return (bls.FQ(x), bls.FQ(pow(rhs, (P + 1) // 4, P)), bls.FQ.one())


@pytest.mark.parametrize("q", [3, 11, 10177, 859267, 52437899])
def test_g1_subgroup_check_on_torsion(drv: NativeDriver, q: int) -> None:
    """The endomorphism test φ(P) = [-x^2]P rejects G1 points plus a point of each prime order q
    dividing the cofactor (and accepts the G1 points alone), as r·P = O does."""
    assert G1_COFACTOR % q == 0
    rng = random.Random(q)
    rest = G1_COFACTOR
    while rest % q == 0:
        rest //= q
    checked = 0
    while checked < 2:
        torsion = bls.multiply(random_curve_point(rng), R * rest)  # its order divides a power of q
        if bls.is_inf(torsion):
            continue
        while not bls.is_inf(bls.multiply(torsion, q)):
            torsion = bls.multiply(torsion, q)
        checked += 1
        assert bls.is_inf(bls.multiply(torsion, q))
        base = bls.multiply(bls.G1, rng.randrange(1, R))
        for pt, inside in [(base, True), (bls.add(base, torsion), False), (torsion, False)]:
            assert bls.is_inf(bls.multiply(pt, R)) == inside
            _, out = point_op(drv, POINT_DECODE, g1_bytes(pt))
            assert parse_point(out, False)[1] == inside


@pytest.mark.parametrize("seed", range(4))
def test_g2_subgroup_check_on_cofactor_points(drv: NativeDriver, seed: int) -> None:
    """The endomorphism test ψ(Q) = [x]Q rejects G2 points plus a point of the cofactor part
    ([r]Q' for a random twist point Q') and accepts the G2 points alone, as r·Q = O does."""
    from py_ecc.bls.point_compression import decompress_G2

    rng = random.Random(seed)
    data = g2_outside_subgroup(seed + 100)
    outside = decompress_G2((int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big")))
    torsion = bls.multiply(outside, R)
    assert not bls.is_inf(torsion)
    base = bls.multiply(bls.G2, rng.randrange(1, R))
    for pt, inside in [(base, True), (bls.add(base, torsion), False), (torsion, False)]:
        assert bls.is_inf(bls.multiply(pt, R)) == inside
        _, out = point_op(drv, POINT_DECODE, g2_bytes(pt), g2=True)
        assert parse_point(out, True)[1] == inside
