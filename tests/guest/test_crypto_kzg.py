"""The point-evaluation precompile (0x0a, EIP-4844) of the guest against ckzg: valid proofs that
ckzg computes, every input field tampered with, the execution-specs test vectors, scalars at and
above the modulus, malformed points, the length, the gas, and the KZG check's own status codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bls_driver import (
    KZG_BAD_POINT,
    KZG_BAD_SCALAR,
    KZG_NOT_IN_G1,
    KZG_OK,
    KZG_WRONG_PROOF,
    OP_KZG_VERIFY,
    OP_PRECOMPILE_LAST,
)
from core_driver import NativeDriver
from crypto_driver import PRECOMPILE_FAIL, PRECOMPILE_OK, PRECOMPILE_OOG, open_driver, precompile, u64
from kzg_cases import BLS_MODULUS, FIELD_ELEMENTS_PER_BLOB, ckzg_accepts, precompile_input, versioned_hash
from test_crypto_bls12_381 import g1_outside_subgroup

POINT_EVALUATION = 0x0A
GAS = 50_000
VECTORS = Path(__file__).parent / "vectors" / "verify_kzg_proof.json"
SUCCESS_OUTPUT = FIELD_ELEMENTS_PER_BLOB.to_bytes(32, "big") + BLS_MODULUS.to_bytes(32, "big")
INFINITY = bytes([0xC0]) + bytes(47)


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def run(drv: NativeDriver, data: bytes, gas: int = 10**6) -> tuple[int, int, bytes]:
    """The precompile on `data`: (status, gas used, output)."""
    return precompile(drv, POINT_EVALUATION, data, gas)


def expect_same_as_ckzg(drv: NativeDriver, data: bytes) -> bool:
    """The guest's verdict on `data` is ckzg's, with EIP-4844's output and gas; returns it."""
    status, used, out = run(drv, data)
    if ckzg_accepts(data):
        assert (status, used, out) == (PRECOMPILE_OK, GAS, SUCCESS_OUTPUT)
        return True
    assert (status, used, out) == (PRECOMPILE_FAIL, 10**6, b"")
    return False


@pytest.mark.parametrize(("seed", "z"), [(1, 0), (1, 1), (2, 12345), (3, BLS_MODULUS - 1), (4, 2**200 + 7)])
def test_valid_proofs_are_accepted(drv: NativeDriver, seed: int, z: int) -> None:
    """Proofs ckzg computes for a blob at z verify, output (4096, r), cost 50,000 gas."""
    assert expect_same_as_ckzg(drv, precompile_input(seed, z))


@pytest.mark.parametrize("offset", [0, 5, 31, 32, 63, 64, 95, 96, 120, 143, 144, 170, 191])
def test_tampered_inputs_are_rejected(drv: NativeDriver, offset: int) -> None:
    """Flipping one bit of any field (hash, z, y, commitment, proof) fails like ckzg."""
    data = bytearray(precompile_input(5, 777))
    data[offset] ^= 0x01
    assert not expect_same_as_ckzg(drv, bytes(data))


def test_tampered_commitment_with_matching_hash(drv: NativeDriver) -> None:
    """Another valid commitment, its versioned hash fixed up: the pairing check rejects it."""
    data = bytearray(precompile_input(6, 99))
    other = precompile_input(7, 99)[96:144]
    data[96:144] = other
    data[:32] = versioned_hash(other)
    assert not expect_same_as_ckzg(drv, bytes(data))


def test_scalars_at_and_above_the_modulus(drv: NativeDriver) -> None:
    """z or y equal to r or above fail (ckzg's bytes_to_bls_field), even with a valid proof."""
    good = precompile_input(8, 3)
    for start in (32, 64):
        for value in (BLS_MODULUS, BLS_MODULUS + 3, 2**256 - 1):
            data = good[:start] + value.to_bytes(32, "big") + good[start + 32 :]
            assert not expect_same_as_ckzg(drv, data)


def with_points(commitment: bytes, proof: bytes, z: int = 1, y: int = 0) -> bytes:
    """An input of the given points with a matching versioned hash."""
    return versioned_hash(commitment) + z.to_bytes(32, "big") + y.to_bytes(32, "big") + commitment + proof


def test_malformed_points(drv: NativeDriver) -> None:
    """Bad flags, x ≥ p, x off the curve and points outside G1 fail for commitment and proof."""
    p = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
    good = precompile_input(9, 5)[96:144]
    bad = [
        bytes([good[0] & 0x7F]) + good[1:],  # not flagged compressed
        bytes([0xE0]) + bytes(47),  # infinity with the sign flag
        bytes([0xC0]) + bytes(46) + b"\x01",  # infinity with a nonzero bit
        (p | (1 << 383)).to_bytes(48, "big"),  # x = p
        ((p + 4) | (1 << 383)).to_bytes(48, "big"),  # x ≥ p
        ((1 << 381) - 1 | (1 << 383)).to_bytes(48, "big"),  # x = 2^381 - 1
        ((1 << 383) | 3).to_bytes(48, "big"),  # x = 3 is not on the curve (3^3 + 4 = 31 is no square)
        g1_outside_subgroup(1),
    ]
    for point in bad:
        assert not expect_same_as_ckzg(drv, with_points(point, good))
        assert not expect_same_as_ckzg(drv, with_points(good, point))


def test_points_at_infinity(drv: NativeDriver) -> None:
    """Commitment and proof at infinity: p(z) = 0 holds for the zero polynomial (y = 0 only)."""
    assert expect_same_as_ckzg(drv, with_points(INFINITY, INFINITY, z=5, y=0))
    assert not expect_same_as_ckzg(drv, with_points(INFINITY, INFINITY, z=5, y=1))


def test_execution_spec_vectors(drv: NativeDriver) -> None:
    """The go-kzg-4844 vectors of execution-specs' point-evaluation tests (a selection)."""
    cases = json.loads(VECTORS.read_text())["cases"]
    for name, c, z, y, proof, expected in cases:
        data = versioned_hash(bytes.fromhex(c)) + bytes.fromhex(z + y + c + proof)
        status, _, out = run(drv, data)
        assert (status == PRECOMPILE_OK) == bool(expected), name
        assert ckzg_accepts(data) == bool(expected), name
        assert out == (SUCCESS_OUTPUT if expected else b""), name


@pytest.mark.parametrize("length", [0, 1, 191, 193, 256])
def test_wrong_length_fails(drv: NativeDriver, length: int) -> None:
    """Only exactly 192 bytes are accepted: a valid input cut or extended fails with all gas."""
    good = precompile_input(10, 11)
    data = (good * 2)[:length]
    assert run(drv, data) == (PRECOMPILE_FAIL, 10**6, b"")


def test_gas(drv: NativeDriver) -> None:
    """50,000 gas exactly is enough; one less is out of gas, all of it consumed."""
    data = precompile_input(11, 13)
    assert run(drv, data, GAS) == (PRECOMPILE_OK, GAS, SUCCESS_OUTPUT)
    assert run(drv, data, GAS - 1) == (PRECOMPILE_OOG, GAS - 1, b"")
    assert run(drv, data[:100], GAS - 1)[0] == PRECOMPILE_OOG  # gas is charged before the length


def test_kzg_status_codes(drv: NativeDriver) -> None:
    """The KZG check reports which condition failed, scalars first, then the points."""
    data = precompile_input(12, 17)
    c, z, y, proof = data[96:144], data[32:64], data[64:96], data[144:]

    def verify(c: bytes, z: bytes, y: bytes, proof: bytes) -> int:
        return drv.call(OP_KZG_VERIFY, c + z + y + proof)[0]

    r = BLS_MODULUS.to_bytes(32, "big")
    outside = g1_outside_subgroup(2)
    assert verify(c, z, y, proof) == KZG_OK
    assert verify(c, r, y, bytes(48)) == KZG_BAD_SCALAR
    assert verify(c, z, y, bytes(48)) == KZG_BAD_POINT
    assert verify(outside, z, y, proof) == KZG_NOT_IN_G1
    assert verify(c, z, y, outside) == KZG_NOT_IN_G1
    assert verify(c, z, (int.from_bytes(y, "big") ^ 1).to_bytes(32, "big"), proof) == KZG_WRONG_PROOF


@pytest.mark.parametrize(("fork", "last"), [(1, 9), (2, 10), (3, 10)])
def test_point_evaluation_from_cancun_on(drv: NativeDriver, fork: int, last: int) -> None:
    """precompile_last, which the EVM's calls and warm set use: 0x0a is a precompile from Cancun
    (fork 2) on, an ordinary account in Shanghai (fork 1)."""
    status, out = drv.call(OP_PRECOMPILE_LAST, u64(fork))
    assert (status, int.from_bytes(out, "little")) == (0, last)
