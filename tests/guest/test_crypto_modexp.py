"""The modexp precompile (0x05, EIP-198 with EIP-2565 gas) against Python's pow and a Python
transcription of the EIP-2565 gas formula: random and edge-case operands, zero lengths, zero
and one moduli, even moduli, short inputs, and gas for huge declared lengths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from core_driver import NativeDriver
from crypto_driver import PRECOMPILE_OK, PRECOMPILE_OOG, be32, open_driver, precompile
from hypothesis import given, settings
from hypothesis import strategies as st

MODEXP = 5
U64_MAX = 2**64 - 1


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def field(data: bytes, start: int, n: int) -> bytes:
    """n bytes of the input from `start`, zero-padded on the right."""
    chunk = data[start : start + n] if start < len(data) else b""
    return chunk + bytes(n - len(chunk))


def gas(data: bytes) -> int:
    """EIP-2565: max(200, ceil(max(Lb, Lm)/8)^2 · max(adjusted exponent length, 1) // 3)."""
    blen, elen, mlen = (int.from_bytes(field(data, 32 * i, 32), "big") for i in range(3))
    head = int.from_bytes(field(data, 96 + blen, min(elen, 32)), "big") if elen else 0
    top = head.bit_length() - 1 if head else 0
    adj = top if elen <= 32 else 8 * (elen - 32) + top
    words = (max(blen, mlen) + 7) // 8
    return max(200, words * words * max(adj, 1) // 3)


def expected_output(data: bytes) -> bytes:
    """EIP-198's result: Lm bytes of base^exp mod m (0 for m = 0); an empty base is 0, so 0^0 = 1."""
    blen, elen, mlen = (int.from_bytes(field(data, 32 * i, 32), "big") for i in range(3))
    b = int.from_bytes(field(data, 96, blen), "big")
    e = int.from_bytes(field(data, 96 + blen, elen), "big")
    m = int.from_bytes(field(data, 96 + blen + elen, mlen), "big")
    return (pow(b, e, m) if m else 0).to_bytes(mlen, "big") if mlen else b""


def call_input(b: bytes, e: bytes, m: bytes) -> bytes:
    """Header and operands."""
    return be32(len(b)) + be32(len(e)) + be32(len(m)) + b + e + m


def check(drv: NativeDriver, data: bytes, gas_limit: int = 10**9) -> None:
    """The guest agrees with the Python model on status, gas and output."""
    price = gas(data)
    if price > gas_limit:
        assert precompile(drv, MODEXP, data, gas_limit) == (PRECOMPILE_OOG, gas_limit, b"")
        return
    assert precompile(drv, MODEXP, data, gas_limit) == (PRECOMPILE_OK, price, expected_output(data))
    if price > 0:
        assert precompile(drv, MODEXP, data, price - 1)[0] == PRECOMPILE_OOG


def test_eip198_fermat_vector(drv: NativeDriver) -> None:
    """EIP-198's example: 3^(p-1) mod p = 1 for the secp256k1 prime p."""
    p = 2**256 - 2**32 - 977
    data = call_input(b"\x03", (p - 1).to_bytes(32, "big"), p.to_bytes(32, "big"))
    status, used, out = precompile(drv, MODEXP, data, 10**6)
    assert (status, out) == (PRECOMPILE_OK, be32(1))
    assert used == gas(data) == 1360


@pytest.mark.parametrize(
    ("e", "m", "want"),
    [(b"", b"\x02", b"\x01"), (b"\x00\x00", b"\x00\x07", b"\x00\x01"), (b"\x05", b"\x07", b"\x00"),
     (b"", b"\x01", b"\x00"), (b"", b"\x00\x00", b"\x00\x00")],
    ids=["0^empty", "0^0-padded", "0^5", "mod-1", "mod-0"],
)
def test_empty_base_is_zero(drv: NativeDriver, e: bytes, m: bytes, want: bytes) -> None:
    """An empty base is the number 0, so 0^0 mod m = 1 mod m (EIP-198; py-evm 0.12.1b1 answers 0)."""
    assert precompile(drv, MODEXP, call_input(b"", e, m), 10**6) == (PRECOMPILE_OK, 200, want)


def num_bytes(max_len: int) -> st.SearchStrategy[bytes]:
    """Operands with leading zeros and the all-ones/zero edges."""
    return st.one_of(
        st.binary(max_size=max_len),
        st.integers(0, max_len).map(lambda n: b"\xff" * n),
        st.integers(0, max_len).map(lambda n: bytes(n)),
        st.integers(0, max_len).map(lambda n: bytes(n)[:-1] + b"\x01" if n else b""),
    )


@settings(max_examples=300, deadline=None)
@given(num_bytes(70), num_bytes(40), num_bytes(70))
def test_random_operands(drv: NativeDriver, b: bytes, e: bytes, m: bytes) -> None:
    """Random lengths (including zero) and values, odd and even moduli, 0 and 1 moduli."""
    check(drv, call_input(b, e, m))


@settings(max_examples=100, deadline=None)
@given(num_bytes(40), num_bytes(40), num_bytes(40), st.integers(0, 300))
def test_truncated_inputs_are_zero_padded(drv: NativeDriver, b: bytes, e: bytes, m: bytes, cut: int) -> None:
    """An input that ends early reads as zeros, the header included."""
    check(drv, call_input(b, e, m)[:cut])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 2**2048 - 1), st.integers(1, 2**2048 - 1), st.integers(0, 2**256 - 1))
def test_large_moduli(drv: NativeDriver, b: int, m: int, e: int) -> None:
    """2048-bit bases and moduli (RSA-sized) with 256-bit exponents."""
    check(drv, call_input(b.to_bytes(256, "big"), e.to_bytes(32, "big"), m.to_bytes(256, "big")))


HUGE = [2**256 - 1, 2**255, 2**64, U64_MAX, 2**63, 2**35 + 1, 2**32 * 8 + 1]


@pytest.mark.parametrize("which", range(3))
@pytest.mark.parametrize("huge", HUGE)
def test_huge_lengths_cost_without_overflow(drv: NativeDriver, which: int, huge: int) -> None:
    """Declared lengths far beyond the input: the gas is computed exactly (or is at least 2^64)
    and the call runs out of gas; with base and modulus lengths 0 any exponent length costs 200
    and returns nothing."""
    lens = [1, 1, 1]
    lens[which] = huge
    data = b"".join(be32(n) for n in lens) + b"\x02\x03\x05"
    price = gas(data)
    status, used, out = precompile(drv, MODEXP, data, 10**8)
    if price > 10**8:
        assert (status, used, out) == (PRECOMPILE_OOG, 10**8, b"")
    else:
        assert (status, used) == (PRECOMPILE_OK, price)
    empty = be32(0) + be32(huge) + be32(0) + b"\xff" * 40
    assert precompile(drv, MODEXP, empty, 200) == (PRECOMPILE_OK, 200, b"")


def test_exponent_padding_beyond_the_input(drv: NativeDriver) -> None:
    """An exponent that runs past the end of the input leaves a zero modulus (zero output of
    Lm bytes); a long exponent inside the input is used in full."""
    for elen, tail in ((5000, b"\x03"), (100_000, b"\x81\x02"), (40, b"")):
        data = be32(2) + be32(elen) + be32(3) + b"\x01\x23" + tail
        check(drv, data)
        check(drv, be32(2) + be32(elen) + be32(3) + b"\x01\x23" + b"\x05" * elen + b"\x65\x43\x21")


def test_exponent_head_gas(drv: NativeDriver) -> None:
    """The adjusted exponent length uses the exponent's first 32 bytes (long exponents)."""
    exps = (bytes(64), b"\x01" + bytes(63), bytes(31) + b"\x80" + bytes(32), b"\xff" * 33,
            bytes(32) + b"\x01")
    for e in exps:
        check(drv, call_input(b"\x07" * 20, e, b"\x0b" * 20))
