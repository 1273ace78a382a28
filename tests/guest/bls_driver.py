"""The crypto driver's BLS12-381 operations (guest/tests/crypto/driver_bls.c) seen from Python:
argument encodings, the mapping between py_ecc's Fp12 (Fp[w]/(w^12 - 2w^6 + 2)) and the guest's
tower, and points of py_ecc in ZCash's compressed encoding."""

from __future__ import annotations

from typing import Any

from core_driver import NativeDriver
from py_ecc import optimized_bls12_381 as bls
from py_ecc.bls.point_compression import compress_G1, compress_G2

OP_BLS_FP, OP_BLS_FP2, OP_BLS_FP12, OP_BLS_POINT, OP_BLS_PAIRING, OP_KZG_VERIFY, OP_PRECOMPILE_LAST = range(5, 12)
BLS_FP2_MUL_XI, BLS_FP2_LARGE = 8, 9
FP12_OPS = dict(zip(["mul", "sqr", "inv", "frob", "frob2", "conj", "cyclo_sqr", "easy", "final_exp", "line"],
                    range(10), strict=True))
POINT_DECODE, POINT_ADD, POINT_MUL, POINT_ON_CURVE = range(4)
POINT_G2, POINT_AFFINE = 16, 32
KZG_OK, KZG_BAD_SCALAR, KZG_BAD_POINT, KZG_NOT_IN_G1, KZG_WRONG_PROOF = range(5)

P = bls.field_modulus
R = bls.curve_order
Fp2 = tuple[int, int]
Fp12 = list[Fp2]  # the coefficients of w^0 … w^5


def be48(v: int) -> bytes:
    """48 big-endian bytes."""
    return v.to_bytes(48, "big")


def enc_fp2(a: Fp2) -> bytes:
    """An Fp2 argument: c0 ‖ c1."""
    return be48(a[0]) + be48(a[1])


def dec_fp2(b: bytes) -> Fp2:
    """An Fp2 answer."""
    return int.from_bytes(b[:48], "big"), int.from_bytes(b[48:96], "big")


# the struct order of the guest's fp12: c0.c0, c0.c1, c0.c2, c1.c0, c1.c1, c1.c2 hold w^0, w^2,
# w^4, w^1, w^3, w^5
STRUCT_POWERS = [0, 2, 4, 1, 3, 5]


def enc_fp12(a: Fp12) -> bytes:
    """An Fp12 argument in the guest's struct order."""
    return b"".join(enc_fp2(a[k]) for k in STRUCT_POWERS)


def dec_fp12(b: bytes) -> Fp12:
    """An Fp12 answer as the coefficients of w^0 … w^5."""
    out: Fp12 = [(0, 0)] * 6
    for i, k in enumerate(STRUCT_POWERS):
        out[k] = dec_fp2(b[96 * i : 96 * i + 96])
    return out


def to_py_ecc(a: Fp12) -> Any:
    """The same element in py_ecc's FQ12: with u = w^6 - 1, (c0 + c1 u) w^k =
    (c0 - c1) w^k + c1 w^(k+6)."""
    coeffs = [0] * 12
    for k, (c0, c1) in enumerate(a):
        coeffs[k] = (c0 - c1) % P
        coeffs[k + 6] = c1
    return bls.FQ12(coeffs)


def from_py_ecc(f: Any) -> Fp12:
    """The tower coefficients of a py_ecc FQ12 element."""
    c = [int(x) for x in f.coeffs]
    return [((c[k] + c[k + 6]) % P, c[k + 6]) for k in range(6)]


def fp12_op(drv: NativeDriver, op: str, a: Fp12, b: Fp12 | None = None) -> Fp12:
    """One Fp12 operation of the guest."""
    status, out = drv.call(OP_BLS_FP12, bytes([FP12_OPS[op]]) + enc_fp12(a) + enc_fp12(b or [(0, 0)] * 6))
    assert status == 0
    return dec_fp12(out)


def g1_bytes(p: Any) -> bytes:
    """ZCash compressed encoding of a py_ecc G1 point."""
    return compress_G1(p).to_bytes(48, "big")


def g2_bytes(q: Any) -> bytes:
    """ZCash compressed encoding of a py_ecc G2 point."""
    z1, z2 = compress_G2(q)
    return z1.to_bytes(48, "big") + z2.to_bytes(48, "big")


def point_op(drv: NativeDriver, kind: int, data: bytes, g2: bool = False,
             affine: bool = False) -> tuple[int, bytes]:
    """An OP_BLS_POINT request: (status, answer)."""
    op = kind | (POINT_G2 if g2 else 0) | (POINT_AFFINE if affine else 0)
    return drv.call(OP_BLS_POINT, bytes([op]) + data)


def parse_point(out: bytes, g2: bool) -> tuple[bool, bool, tuple[int, ...], bytes]:
    """(infinity, in the subgroup, affine coordinates, compressed encoding) of a point answer."""
    n = 4 if g2 else 2
    coords = tuple(int.from_bytes(out[1 + 48 * i : 49 + 48 * i], "big") for i in range(n))
    return bool(out[0] & 1), bool(out[0] & 2), coords, out[1 + 48 * n :]


def py_point(coords: tuple[int, ...], g2: bool) -> Any:
    """A py_ecc point of affine coordinates (as parse_point gives them)."""
    if g2:
        return (bls.FQ2([coords[0], coords[1]]), bls.FQ2([coords[2], coords[3]]), bls.FQ2.one())
    return (bls.FQ(coords[0]), bls.FQ(coords[1]), bls.FQ.one())
