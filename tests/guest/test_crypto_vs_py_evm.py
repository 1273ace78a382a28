"""Differential test against machine A: every precompile of the guest gives the same outcome
(success or failure), gas and output as A's Shanghai precompiles (py-evm's, MODEXP corrected), on
structured valid inputs, near-misses and random bytes. (AB must reproduce A; the other test files check the
same functions against independent oracles.)"""

from __future__ import annotations

import random
from collections.abc import Iterator

import coincurve
import pytest
from core_driver import NativeDriver
from crypto_driver import PRECOMPILE_OK, SECP_N, be32, open_driver, precompile
from eth.exceptions import VMError
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as bn
from test_crypto_bn254 import enc_g1, enc_g2, g1, g2, twist_point_outside_subgroup
from test_crypto_modexp import call_input, num_bytes

from fastvm.forks import machine_vm_class
from fastvm.state import Fork

A_COMPUTATION = machine_vm_class(Fork.SHANGHAI)._state_class.computation_class
PRECOMPILES = {int.from_bytes(a, "big"): f for a, f in A_COMPUTATION.get_precompiles().items()}
A_CANCUN = machine_vm_class(Fork.CANCUN)._state_class.computation_class
POINT_EVALUATION = A_CANCUN.get_precompiles()[(10).to_bytes(20, "big")]


class _Message:
    """The part of a py-evm message that precompiles read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.data_as_bytes = data


class _Computation:
    """The part of a py-evm computation that precompiles use: the input, a gas meter, the output."""

    def __init__(self, data: bytes, gas: int) -> None:
        self.msg = _Message(data)
        self.gas = gas
        self.used = 0
        self.output = b""

    def consume_gas(self, amount: int, reason: str) -> None:
        """Charge gas; running out is a VMError as in py-evm's gas meter."""
        if self.used + amount > self.gas:
            raise VMError(f"out of gas: {reason}")
        self.used += amount


def machine_a(addr: int, data: bytes, gas: int) -> tuple[bool, int, bytes]:
    """(succeeded, gas used, output) of py-evm's precompile (Shanghai's, and Cancun's point
    evaluation at 0x0a); a failure consumes all the gas."""
    comp = _Computation(data, gas)
    try:
        (POINT_EVALUATION if addr == 10 else PRECOMPILES[addr])(comp)
    except VMError:
        return False, gas, b""
    return True, comp.used, bytes(comp.output)


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def guest(drv: NativeDriver, addr: int, data: bytes, gas: int) -> tuple[bool, int, bytes]:
    """The same triple from the guest."""
    status, used, out = precompile(drv, addr, data, gas)
    return status == PRECOMPILE_OK, used, out


def ecrecover_inputs(rng: random.Random) -> list[bytes]:
    """Valid signatures, bad v, high s, out-of-range r/s, short inputs."""
    out = []
    for _ in range(6):
        h = rng.randbytes(32)
        sig = coincurve.PrivateKey(rng.randbytes(31) + b"\x01").sign_recoverable(h, hasher=None)
        r, s, v = sig[:32], sig[32:64], sig[64]
        out += [
            h + be32(27 + v) + r + s,
            h + be32(28 - v) + r + be32(SECP_N - int.from_bytes(s, "big")),
            h + be32(27 + v) + r + s + rng.randbytes(9),
            h + be32(29) + r + s,
            h + be32(27) + be32(0) + s,
            h + be32(27) + r + be32(SECP_N),
            (h + be32(27 + v) + r + s)[: rng.randrange(128)],
            rng.randbytes(128),
        ]
    return out


def bn_inputs(rng: random.Random) -> list[tuple[int, bytes]]:
    """ecAdd/ecMul inputs: valid points, infinity, invalid points, padding, truncation."""
    out = []
    for _ in range(5):
        a, b, k = rng.randrange(bn.curve_order), rng.randrange(bn.curve_order), rng.randrange(2**256)
        pa, pb = enc_g1(g1(a)), enc_g1(g1(b))
        add = [pa + pb, pa + pa, pa, pa + pb + rng.randbytes(10), (pa + pb)[: rng.randrange(128)],
               pa + be32(1) + be32(3), be32(bn.field_modulus) + be32(0) + pb, rng.randbytes(128)]
        mul = [pa + be32(k), pa + be32(bn.curve_order), bytes(64) + be32(k), (pa + be32(k))[:80],
               be32(1) + be32(2) + be32(k), rng.randbytes(96)]
        out += [(6, d) for d in add] + [(7, d) for d in mul]
    return out


def modexp_inputs(rng: random.Random) -> list[bytes]:
    """Random operands, zero lengths, truncations, large declared lengths."""
    out = []
    for _ in range(30):
        b, e, m = (rng.randbytes(rng.choice([0, 1, 5, 32, 33, 64])) for _ in range(3))
        data = call_input(b, e, m)
        out += [data, data[: rng.randrange(len(data) + 1)]]
    moduli = (b"", b"\x01", b"\x00\x02", b"\x09")
    out += [call_input(b"", e, m) for e in (b"", b"\x00", b"\x03") for m in moduli]  # empty base
    out += [be32(0) + be32(2**255) + be32(0), be32(1) + be32(2**64) + be32(1) + b"\x02\x03\x05", be32(2**40)]
    return out


def blake2f_inputs(rng: random.Random) -> list[bytes]:
    """Valid calls with small round counts, bad flags and lengths."""
    out = []
    for _ in range(10):
        body = rng.randbytes(208)
        rounds = rng.randrange(40).to_bytes(4, "big")
        out += [rounds + body + b"\x00", rounds + body + b"\x01", rounds + body + b"\x02", rounds + body,
                rounds + body + b"\x01\x00", (2**32 - 1).to_bytes(4, "big") + body + b"\x00"]
    return out


def test_small_precompiles_match_py_evm(drv: NativeDriver) -> None:
    """ecrecover, sha256, ripemd160, identity, modexp and blake2f, at ample and at tight gas."""
    rng = random.Random(20261121)
    cases = [(1, d) for d in ecrecover_inputs(rng)]
    cases += [(a, rng.randbytes(rng.randrange(200))) for a in (2, 3, 4) for _ in range(10)]
    cases += [(5, d) for d in modexp_inputs(rng)] + [(9, d) for d in blake2f_inputs(rng)]
    for addr, data in cases:
        for gas in (10**7, rng.randrange(5000)):
            assert guest(drv, addr, data, gas) == machine_a(addr, data, gas), (addr, data.hex(), gas)


def test_bn254_add_mul_match_py_evm(drv: NativeDriver) -> None:
    """ecAdd and ecMul, valid and invalid, at ample and at tight gas."""
    rng = random.Random(7)
    for addr, data in bn_inputs(rng):
        for gas in (10**6, rng.randrange(7000)):
            assert guest(drv, addr, data, gas) == machine_a(addr, data, gas), (addr, data.hex(), gas)


def test_bn254_pairing_matches_py_evm(drv: NativeDriver) -> None:
    """ecPairing: holding and failing checks, infinity, invalid G1/G2 points, bad lengths."""
    p, q = enc_g1(g1(6)), enc_g2(g2(11))
    cases = [
        b"",
        p + q,
        enc_g1(g1(66)) + enc_g2(bn.G2) + enc_g1(bn.neg(g1(6))) + q,
        bytes(64) + q,
        p + bytes(128),
        p + twist_point_outside_subgroup(9),
        p + q[:127] + bytes([q[127] ^ 1]),
        be32(1) + be32(3) + q,
        p + q + p,
        (p + q)[:191],
    ]
    for i, data in enumerate(cases):
        for gas in (10**6, 79_000, 78_999)[: 3 if i < 3 else 1]:
            assert guest(drv, 8, data, gas) == machine_a(8, data, gas), (data.hex(), gas)


@settings(max_examples=150, deadline=None)
@given(num_bytes(40), num_bytes(34), num_bytes(40), st.integers(0, 400))
def test_modexp_agrees_with_machine_a(drv: NativeDriver, b: bytes, e: bytes, m: bytes, cut: int) -> None:
    """MODEXP's gas and output equal machine A's, truncated inputs and empty operands included."""
    data = call_input(b, e, m)[:cut]
    assert guest(drv, 5, data, 10**9) == machine_a(5, data, 10**9)


def test_point_evaluation_agrees_with_machine_a(drv: NativeDriver) -> None:
    """0x0a: valid proofs, tampered fields, wrong lengths and low gas as A's Cancun precompile."""
    from kzg_cases import precompile_input

    rng = random.Random(10)
    good = precompile_input(3, 31337)
    cases = [good, good[:191], good + b"\x00", bytes(192)]
    for offset in (0, 40, 70, 100, 150):
        cases.append(good[:offset] + bytes([good[offset] ^ 1 << rng.randrange(8)]) + good[offset + 1 :])
    for data in cases:
        for gas in (10**6, 50_000, 49_999):
            assert guest(drv, 10, data, gas) == machine_a(10, data, gas), (data.hex(), gas)
