"""The blake2f precompile (0x09, EIP-152) against a Python BLAKE2b compression function written
here from RFC 7693 §3.2, itself anchored to hashlib's BLAKE2b; plus the length, flag and gas
rules."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator

import pytest
from core_driver import NativeDriver
from crypto_driver import PRECOMPILE_FAIL, PRECOMPILE_OK, PRECOMPILE_OOG, open_driver, precompile
from hypothesis import given, settings
from hypothesis import strategies as st

BLAKE2F = 9
MASK = 2**64 - 1
IV = [
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
]
SIGMA = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
]


def rotr(x: int, n: int) -> int:
    """64-bit rotate right."""
    return ((x >> n) | (x << (64 - n))) & MASK


def compress(rounds: int, h: list[int], m: list[int], t: tuple[int, int], final: bool) -> list[int]:
    """RFC 7693 F with a chosen number of rounds."""
    v = h[:] + IV[:]
    v[12] ^= t[0]
    v[13] ^= t[1]
    if final:
        v[14] ^= MASK

    def g(a: int, b: int, c: int, d: int, x: int, y: int) -> None:
        v[a] = (v[a] + v[b] + x) & MASK
        v[d] = rotr(v[d] ^ v[a], 32)
        v[c] = (v[c] + v[d]) & MASK
        v[b] = rotr(v[b] ^ v[c], 24)
        v[a] = (v[a] + v[b] + y) & MASK
        v[d] = rotr(v[d] ^ v[a], 16)
        v[c] = (v[c] + v[d]) & MASK
        v[b] = rotr(v[b] ^ v[c], 63)

    for r in range(rounds):
        s = SIGMA[r % 10]
        g(0, 4, 8, 12, m[s[0]], m[s[1]])
        g(1, 5, 9, 13, m[s[2]], m[s[3]])
        g(2, 6, 10, 14, m[s[4]], m[s[5]])
        g(3, 7, 11, 15, m[s[6]], m[s[7]])
        g(0, 5, 10, 15, m[s[8]], m[s[9]])
        g(1, 6, 11, 12, m[s[10]], m[s[11]])
        g(2, 7, 8, 13, m[s[12]], m[s[13]])
        g(3, 4, 9, 14, m[s[14]], m[s[15]])
    return [h[i] ^ v[i] ^ v[i + 8] for i in range(8)]


def encode(rounds: int, h: list[int], m: list[int], t: tuple[int, int], flag: int) -> bytes:
    """EIP-152 input: rounds (BE u32) ‖ h ‖ m ‖ t (LE u64s) ‖ flag."""
    head = struct.pack(">I", rounds) + struct.pack("<8Q", *h) + struct.pack("<16Q", *m)
    return head + struct.pack("<2Q", *t) + bytes([flag])


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def abc_block() -> tuple[list[int], list[int]]:
    """The state and message of BLAKE2b-512("abc"): one final block of 3 bytes."""
    h = IV[:]
    h[0] ^= 0x01010040
    m = list(struct.unpack("<16Q", b"abc" + bytes(125)))
    return h, m


def test_reference_is_blake2b() -> None:
    """The Python reference, run with 12 rounds on the single block of "abc", is BLAKE2b-512."""
    h, m = abc_block()
    out = compress(12, h, m, (3, 0), True)
    assert struct.pack("<8Q", *out) == hashlib.blake2b(b"abc").digest()


def test_eip152_abc_vectors(drv: NativeDriver) -> None:
    """EIP-152 vectors 4 and 5 (12 rounds of "abc", final flag 1) and the unfinished block."""
    h, m = abc_block()
    status, used, out = precompile(drv, BLAKE2F, encode(12, h, m, (3, 0), 1), 100)
    assert (status, used) == (PRECOMPILE_OK, 12)
    assert out == hashlib.blake2b(b"abc").digest()
    _, _, out0 = precompile(drv, BLAKE2F, encode(12, h, m, (3, 0), 0), 100)
    assert out0 == struct.pack("<8Q", *compress(12, h, m, (3, 0), False))


words = st.integers(0, MASK)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 40), st.lists(words, min_size=8, max_size=8), st.lists(words, min_size=16, max_size=16),
       st.tuples(words, words), st.booleans())
def test_matches_reference(drv: NativeDriver, rounds: int, h: list[int], m: list[int], t: tuple[int, int],
                           final: bool) -> None:
    """Random states, messages, counters and round counts."""
    status, used, out = precompile(drv, BLAKE2F, encode(rounds, h, m, t, int(final)), 10**6)
    assert (status, used) == (PRECOMPILE_OK, rounds)
    assert out == struct.pack("<8Q", *compress(rounds, h, m, t, final))


def test_malformed_inputs_fail(drv: NativeDriver) -> None:
    """Length other than 213 or a final flag other than 0/1 fails with all gas; rounds above the
    gas limit run out of gas."""
    h, m = abc_block()
    good = encode(12, h, m, (3, 0), 1)
    for bad in (good[:-1], good + b"\x00", b"", good[:-1] + b"\x02", good[:-1] + b"\xff"):
        assert precompile(drv, BLAKE2F, bad, 5000) == (PRECOMPILE_FAIL, 5000, b"")
    assert precompile(drv, BLAKE2F, good, 11) == (PRECOMPILE_OOG, 11, b"")
    big = encode(2**32 - 1, h, m, (3, 0), 0)
    assert precompile(drv, BLAKE2F, big, 10**6) == (PRECOMPILE_OOG, 10**6, b"")
