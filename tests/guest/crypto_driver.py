"""The crypto guest test driver (guest/tests/crypto) seen from Python: building it natively with
sanitizers, and the argument encodings of its operations (guest/tests/crypto/ops.h).

It speaks the test-harness framing of guest/tests/harness/harness.h through
``core_driver.NativeDriver`` (and ``core_driver.ABDriver`` on machine AB, see crypto_ab.py);
the library sources under test are guest/src/crypto/*.c plus the hashing sources the
precompiles call.
"""

from __future__ import annotations

import functools
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path

from core_driver import GUEST, NativeDriver

from bench.guest_probe import HASH_SOURCES as HASH_SOURCES  # re-exported for test_crypto_fuzz
from bench.guest_probe import crypto_sources
from toolchain.host import build_host_executable

CRYPTO_TESTS = GUEST / "tests" / "crypto"
CRYPTO_SRC = GUEST / "src" / "crypto"

OP_RECOVER = 1
OP_ADDRESS = 2
OP_MONT = 3
OP_PRECOMPILE = 4

MONT_CTX = {"secp_p": 0, "secp_n": 1, "bn_p": 2, "bn_r": 3, "secp_fe": 4}
MONT_ADD, MONT_SUB, MONT_MUL, MONT_INV, MONT_SQRT, MONT_POW, MONT_NEG, MONT_SQR = range(8)

PRECOMPILE_OK, PRECOMPILE_OOG, PRECOMPILE_FAIL = 0, 1, 2

SECP_P = 2**256 - 2**32 - 977
SECP_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
BN_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
BN_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
MODULI = {"secp_p": SECP_P, "secp_n": SECP_N, "bn_p": BN_P, "bn_r": BN_R}


@functools.cache
def build_native() -> Path:
    """Compile the driver for the host under ASan/UBSan (toolchain/host.py), once per session."""
    out = Path(tempfile.mkdtemp(prefix="crypto_driver_")) / "crypto_driver"
    return build_host_executable(crypto_sources("harness_host.c"), out)


def open_driver() -> Iterator[NativeDriver]:
    """A running native crypto driver (for a fixture); checks its clean exit afterwards."""
    drv = NativeDriver(build_native())
    yield drv
    drv.close()


def u64(v: int) -> bytes:
    """A little-endian u64."""
    return struct.pack("<Q", v)


def be32(v: int) -> bytes:
    """A 32-byte big-endian word."""
    return v.to_bytes(32, "big")


def recover(drv: NativeDriver, msg_hash: bytes, r: int, s: int, recid: int) -> bytes | None:
    """secp256k1_recover: the 64-byte public key, or None when the guest rejects the input."""
    status, out = drv.call(OP_RECOVER, msg_hash + be32(r) + be32(s) + bytes([recid]))
    assert (status == 0) == (len(out) == 64)
    return out if status == 0 else None


def mont(drv: NativeDriver, ctx: str, op: int, a: int, b: int = 0) -> int | None:
    """One Montgomery operation on plain operands; None when it reports failure (no sqrt)."""
    status, out = drv.call(OP_MONT, bytes([MONT_CTX[ctx], op]) + be32(a) + be32(b))
    assert status in (0, 1), status
    return int.from_bytes(out, "big") if status == 0 else None


def precompile(drv: NativeDriver, addr: int, data: bytes, gas: int) -> tuple[int, int, bytes]:
    """Run a precompile: (status, gas used, output)."""
    status, out = drv.call(OP_PRECOMPILE, u64(addr) + u64(gas) + data)
    return status, struct.unpack_from("<Q", out)[0], out[8:]
