"""keccak-256, keccak-f[1600], sha256 and ripemd160 of the guest (guest/src) against
independent oracles: pycryptodome, hashlib, and a from-the-spec Python keccak-f[1600]."""

from __future__ import annotations

import hashlib
import struct

from core_driver import (
    OP_KECCAK256,
    OP_KECCAK_SPLIT,
    OP_KECCAKF,
    OP_RIPEMD160,
    OP_SHA256,
    NativeDriver,
    u64,
)
from Crypto.Hash import RIPEMD160, keccak
from hypothesis import given, settings
from hypothesis import strategies as st

# Around the block sizes: keccak's rate 136, the 64-byte blocks of sha256/ripemd160 and
# their 55/56-byte padding boundary.
EDGE_LENGTHS = [0, 1, 2, 31, 32, 33, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 135, 136, 137,
                200, 271, 272, 273, 408, 1000, 4096]


def keccak256(data: bytes) -> bytes:
    """Oracle: pycryptodome's original-padding Keccak-256."""
    return keccak.new(digest_bits=256, data=data).digest()


def ripemd160(data: bytes) -> bytes:
    """Oracle: pycryptodome's RIPEMD-160."""
    return RIPEMD160.new(data).digest()


def sha256(data: bytes) -> bytes:
    """Oracle: hashlib's SHA-256."""
    return hashlib.sha256(data).digest()


def keccak_f1600(lanes: list[int]) -> list[int]:
    """Oracle: keccak-f[1600] written from FIPS 202 §3.2 (rho offsets and round constants
    derived by the spec's own algorithms, not from tables)."""
    mask = 2**64 - 1

    def rot(v: int, n: int) -> int:
        n %= 64
        return ((v << n) | (v >> (64 - n))) & mask if n else v

    def rc_bit(t: int) -> int:
        if t % 255 == 0:
            return 1
        r = [1, 0, 0, 0, 0, 0, 0, 0]
        for _ in range(t % 255):
            r = [0] + r
            r[0] ^= r[8]
            r[4] ^= r[8]
            r[5] ^= r[8]
            r[6] ^= r[8]
            r = r[:8]
        return r[0]

    offsets = {(0, 0): 0}
    x, y = 1, 0
    for t in range(24):
        offsets[(x, y)] = (t + 1) * (t + 2) // 2
        x, y = y, (2 * x + 3 * y) % 5
    a = [[lanes[x + 5 * y] for y in range(5)] for x in range(5)]
    for ir in range(24):
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rot(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rot(a[x][y], offsets[(x, y)])
        a = [[b[x][y] ^ ((b[(x + 1) % 5][y] ^ mask) & b[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        rc = 0
        for j in range(7):
            rc |= rc_bit(j + 7 * ir) << (2**j - 1)
        a[0][0] ^= rc
    return [a[i % 5][i // 5] for i in range(25)]


def test_known_vectors(core: NativeDriver) -> None:
    # Published digests of the empty string (Ethereum's empty-code hash, FIPS 180-2 and the
    # RIPEMD-160 paper's "" and "abc" vectors).
    assert core.call(OP_KECCAK256, b"")[1].hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    assert core.call(OP_SHA256, b"abc")[1].hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    assert core.call(OP_RIPEMD160, b"")[1].hex() == "9c1185a5c5e9fc54612808977ee8f548b2258d31"
    assert core.call(OP_RIPEMD160, b"abc")[1].hex() == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"


def test_edge_lengths(core: NativeDriver) -> None:
    for n in EDGE_LENGTHS:
        data = bytes((7 * i + n) & 0xFF for i in range(n))
        assert core.call(OP_KECCAK256, data) == (0, keccak256(data)), n
        assert core.call(OP_SHA256, data) == (0, sha256(data)), n
        assert core.call(OP_RIPEMD160, data) == (0, ripemd160(data)), n


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=700))
def test_random_inputs(core: NativeDriver, data: bytes) -> None:
    assert core.call(OP_KECCAK256, data) == (0, keccak256(data))
    assert core.call(OP_SHA256, data) == (0, sha256(data))
    assert core.call(OP_RIPEMD160, data) == (0, ripemd160(data))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(0, 600), max_size=6))
def test_incremental_keccak(core: NativeDriver, data: bytes, cuts: list[int]) -> None:
    """keccak256_update in arbitrary pieces (partial blocks, empty pieces) equals one shot."""
    points = sorted(min(c, len(data)) for c in cuts)
    arg = u64(len(points)) + b"".join(u64(p) for p in points) + data
    assert core.call(OP_KECCAK_SPLIT, arg) == (0, keccak256(data))


@settings(max_examples=30, deadline=None)
@given(lanes=st.lists(st.integers(0, 2**64 - 1), min_size=25, max_size=25))
def test_permutation(core: NativeDriver, lanes: list[int]) -> None:
    status, out = core.call(OP_KECCAKF, struct.pack("<25Q", *lanes))
    assert status == 0
    assert list(struct.unpack("<25Q", out)) == keccak_f1600(lanes)


def test_permutation_of_zero_state(core: NativeDriver) -> None:
    # keccak-f[1600] of the all-zero state: the first lane of the published test vector.
    status, out = core.call(OP_KECCAKF, bytes(200))
    assert status == 0
    lanes = struct.unpack("<25Q", out)
    assert lanes[0] == 0xF1258F7940E1DDE7
    assert list(lanes) == keccak_f1600([0] * 25)
