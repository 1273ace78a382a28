"""The precompile table (guest/include/precompiles.h): ecrecover (0x01) against coincurve,
sha256/ripemd160 (0x02/0x03) against hashlib/pycryptodome, identity (0x04), their word-based
gas, and the handling of addresses outside 1 … 9."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import coincurve
import pytest
from core_driver import NativeDriver
from Crypto.Hash import RIPEMD160, keccak
from crypto_driver import (
    PRECOMPILE_FAIL,
    PRECOMPILE_OK,
    PRECOMPILE_OOG,
    SECP_N,
    be32,
    open_driver,
    precompile,
)
from hypothesis import given, settings
from hypothesis import strategies as st

ECRECOVER, SHA256, RIPEMD, IDENTITY = 1, 2, 3, 4


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def words(n: int) -> int:
    """ceil(n / 32)."""
    return (n + 31) // 32


def signed(secret: int, msg_hash: bytes) -> tuple[bytes, bytes]:
    """An ecrecover input (hash ‖ v ‖ r ‖ s) and the signer's address word."""
    key = coincurve.PrivateKey(secret.to_bytes(32, "big"))
    sig = key.sign_recoverable(msg_hash, hasher=None)
    pub = key.public_key.format(compressed=False)[1:]
    addr = keccak.new(digest_bits=256, data=pub).digest()[12:]
    return msg_hash + be32(27 + sig[64]) + sig[:32] + sig[32:64], bytes(12) + addr


@settings(max_examples=40, deadline=None)
@given(st.integers(1, SECP_N - 1), st.binary(min_size=32, max_size=32))
def test_ecrecover_valid(drv: NativeDriver, secret: int, msg_hash: bytes) -> None:
    """A valid signature gives the signer's address, left-padded to 32 bytes, for 3000 gas;
    trailing input beyond 128 bytes is ignored."""
    data, word = signed(secret, msg_hash)
    assert precompile(drv, ECRECOVER, data, 5000) == (PRECOMPILE_OK, 3000, word)
    assert precompile(drv, ECRECOVER, data + b"\xaa" * 7, 5000) == (PRECOMPILE_OK, 3000, word)


def test_ecrecover_invalid_gives_empty_output(drv: NativeDriver) -> None:
    """Bad v (not a 32-byte 27/28), r or s out of range: success with no output, still 3000 gas.
    Fewer than 3000 gas is out of gas."""
    data, word = signed(12345, bytes(range(32)))
    h, v, r, s = data[:32], data[32:64], data[64:96], data[96:128]
    bad = [
        h + be32(29) + r + s,
        h + be32(26) + r + s,
        h + be32(0) + r + s,
        h + bytes([1]) + v[1:] + r + s,  # 27 with junk in the high bytes
        h + v + be32(0) + s,
        h + v + r + be32(0),
        h + v + be32(SECP_N) + s,
        h + v + r + be32(SECP_N),
        h + v,  # short input: r = s = 0 after padding
        b"",
    ]
    for d in bad:
        assert precompile(drv, ECRECOVER, d, 3000) == (PRECOMPILE_OK, 3000, b"")
    assert precompile(drv, ECRECOVER, data, 2999) == (PRECOMPILE_OOG, 2999, b"")
    # high s with the flipped parity is accepted by the precompile and recovers the same signer
    s_high = be32(SECP_N - int.from_bytes(s, "big"))
    v_flip = be32(27 + (1 - (v[31] - 27)))
    assert precompile(drv, ECRECOVER, h + v_flip + r + s_high, 3000) == (PRECOMPILE_OK, 3000, word)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_hash_and_identity_precompiles(drv: NativeDriver, data: bytes) -> None:
    """Outputs against hashlib/pycryptodome; gas base + per-word · ceil(len/32); one gas short
    is out of gas."""
    cases = [
        (SHA256, 60 + 12 * words(len(data)), hashlib.sha256(data).digest()),
        (RIPEMD, 600 + 120 * words(len(data)), bytes(12) + RIPEMD160.new(data).digest()),
        (IDENTITY, 15 + 3 * words(len(data)), data),
    ]
    for addr, price, out in cases:
        assert precompile(drv, addr, data, price) == (PRECOMPILE_OK, price, out)
        assert precompile(drv, addr, data, price - 1) == (PRECOMPILE_OOG, price - 1, b"")


@pytest.mark.parametrize("addr", [0, 11, 12, 2**32 + 1])
def test_addresses_outside_the_table(drv: NativeDriver, addr: int) -> None:
    """There is no precompile at 0 or above 10 (the driver maps anything above 10 to 0)."""
    assert precompile(drv, addr, b"abc", 1000) == (PRECOMPILE_FAIL, 1000, b"")
