"""Point-evaluation inputs built with ckzg and the trusted setup py-evm ships (c-kzg's file): a
blob of field elements, its commitment, and proofs of its value at chosen points."""

from __future__ import annotations

import functools
import hashlib
import random
from pathlib import Path
from typing import Any

import ckzg

BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FIELD_ELEMENTS_PER_BLOB = 4096


def trusted_setup_path() -> Path:
    """The setup file of py-evm's point-evaluation precompile."""
    import eth

    return Path(eth.__file__).parent / "_utils" / "kzg_trusted_setup.txt"


@functools.cache
def setup() -> Any:
    """ckzg's loaded trusted setup (once per process)."""
    return ckzg.load_trusted_setup(str(trusted_setup_path()), 0)


def versioned_hash(commitment: bytes) -> bytes:
    """EIP-4844's kzg_to_versioned_hash."""
    return b"\x01" + hashlib.sha256(commitment).digest()[1:]


@functools.cache
def blob(seed: int) -> bytes:
    """A blob of canonical field elements from a seed."""
    rng = random.Random(seed)
    return b"".join(rng.randrange(BLS_MODULUS).to_bytes(32, "big") for _ in range(FIELD_ELEMENTS_PER_BLOB))


@functools.cache
def commitment(seed: int) -> bytes:
    """The commitment to blob(seed)."""
    return bytes(ckzg.blob_to_kzg_commitment(blob(seed), setup()))


def evaluation(seed: int, z: int) -> tuple[bytes, bytes, bytes]:
    """(commitment, y, proof) for the blob of `seed` at z."""
    proof, y = ckzg.compute_kzg_proof(blob(seed), z.to_bytes(32, "big"), setup())
    return commitment(seed), bytes(y), bytes(proof)


def precompile_input(seed: int, z: int) -> bytes:
    """A valid 192-byte point-evaluation input."""
    c, y, proof = evaluation(seed, z)
    return versioned_hash(c) + z.to_bytes(32, "big") + y + c + proof


def ckzg_accepts(data: bytes) -> bool:
    """The reference: the precompile's checks done by hashlib and ckzg.verify_kzg_proof."""
    if len(data) != 192 or versioned_hash(data[96:144]) != data[:32]:
        return False
    try:
        return bool(ckzg.verify_kzg_proof(data[96:144], data[32:64], data[64:96], data[144:192], setup()))
    except RuntimeError:  # ckzg's way of rejecting a malformed point or scalar
        return False
