"""Guest test drivers on machine AB, shared by `swapvm bench guest` and tests/guest: images, one
window per batch, and the instruction counts of keccak-f, recovery and the precompiles.

A driver speaks the test-harness framing of guest/tests/harness/harness.h (docs/guest.md): a
request is ``u64 op, u64 len, bytes`` and a response ``u64 status, u64 len, bytes``
(little-endian). On AB the S window holds ``u64 N`` then N bytes of requests; the responses come
back the same way. Instructions per request are the difference between a batch holding the
request k times and an empty batch, divided by k, so start-up and framing costs cancel out.
"""

from __future__ import annotations

import functools
import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path

from emulator.layout import S_BASE, SHADOW_STATUS, SHADOW_X
from emulator.machine import make_machine, shadow_field
from toolchain.build import ROOT, ImageSpec, build_image

Response = tuple[int, bytes]

GUEST = ROOT / "guest"
HARNESS = GUEST / "tests" / "harness"
STATUS_YIELDED = 1
# Library sources of the core driver (guest/src) and the hashing sources the crypto driver needs.
CORE_LIB_SOURCES = ["bytes.c", "keccak.c", "sha256.c", "ripemd160.c", "bloom.c", "rlp.c", "trie.c",
                    "scodec/header.c", "scodec/decode.c", "scodec/encode.c", "scodec/world_root.c",
                    "scodec/v2.c"]
HASH_SOURCES = ["bytes.c", "keccak.c", "sha256.c", "ripemd160.c"]
# Operation numbers: guest/tests/core/ops.h and guest/tests/crypto/ops.h.
OP_KECCAKF_REPEAT = 9
OP_RECOVER = 1
OP_PRECOMPILE = 4


def u64(v: int) -> bytes:
    """A little-endian u64."""
    return struct.pack("<Q", v)


def be32(v: int) -> bytes:
    """A 32-byte big-endian word."""
    return v.to_bytes(32, "big")


def frame(op: int, arg: bytes) -> bytes:
    """One request in the harness framing."""
    return u64(op) + u64(len(arg)) + arg


def parse_responses(data: bytes) -> list[Response]:
    """Split a concatenation of responses."""
    out, pos = [], 0
    while pos < len(data):
        status, n = struct.unpack_from("<QQ", data, pos)
        out.append((status, data[pos + 16 : pos + 16 + n]))
        pos += 16 + n
    assert pos == len(data), "truncated response batch"
    return out


class ABDriver:
    """A driver image on machine AB: each batch is one window from Q*, its step count kept."""

    def __init__(self, elf: Path, backend: str = "fast", max_steps: int = 2_000_000_000) -> None:
        from emulator.image import template_from_image

        self.template = template_from_image(elf)
        self.backend = backend
        self.max_steps = max_steps
        self.last_steps = 0

    def batch(self, requests: Sequence[tuple[int, bytes]]) -> list[Response]:
        """Answer the requests in one run; the step count is left in `last_steps`."""
        data = b"".join(frame(op, arg) for op, arg in requests)
        initial = self.template.initial_state(u64(len(data)) + data)
        machine = make_machine(self.backend, self.template, initial)
        self.last_steps = machine.run_until_halt(self.max_steps)
        state = machine.state()
        status, code = shadow_field(state, SHADOW_STATUS), shadow_field(state, SHADOW_X + 8 * 10)
        assert (status, code) == (STATUS_YIELDED, 0), f"machine ended with status {status}, a0 {code}"
        n = state.read_u64(S_BASE)
        responses = parse_responses(state.read(S_BASE + 8, n))
        assert len(responses) == len(requests)
        return responses

    def call(self, op: int, arg: bytes) -> Response:
        """One request in a window of its own."""
        return self.batch([(op, arg)])[0]


def instructions_per_call(drv: ABDriver, op: int, arg: bytes, k: int = 2) -> int:
    """AB instructions of one request, net of the batch overhead."""
    drv.batch([])
    base = drv.last_steps
    drv.batch([(op, arg)] * k)
    return (drv.last_steps - base) // k


def build_core_ab(out_dir: Path) -> Path:
    """Build the core driver (hashes, RLP, trie, S codec) as an AB image; returns the ELF file."""
    sources = tuple(f"guest/src/{s}" for s in CORE_LIB_SOURCES) + (
        "guest/tests/harness/harness.c", "guest/tests/harness/harness_ab.c", "guest/tests/core/driver.c")
    return build_image(ImageSpec("core_tests", sources, locked=False), out_dir / "core_tests.elf")


def crypto_sources(main: str) -> list[str]:
    """Repository-relative C sources of the crypto driver with the harness main `main`
    ("harness_host.c" natively, "harness_ab.c" on machine AB)."""
    files = sorted((GUEST / "src" / "crypto").glob("*.c")) + [GUEST / "src" / s for s in HASH_SOURCES]
    files += [HARNESS / "harness.c", HARNESS / main, GUEST / "tests" / "crypto" / "driver.c",
              GUEST / "tests" / "crypto" / "driver_bls.c"]
    return [f.relative_to(ROOT).as_posix() for f in files]


@functools.cache
def core_ab_image() -> Path:
    """The core driver image (built once per process)."""
    return build_core_ab(Path(tempfile.mkdtemp(prefix="core_ab_")))


@functools.cache
def crypto_ab_image() -> Path:
    """The crypto driver image (built once per process)."""
    out = Path(tempfile.mkdtemp(prefix="crypto_ab_")) / "crypto_tests.elf"
    return build_image(ImageSpec("crypto_tests", tuple(crypto_sources("harness_ab.c")), locked=False), out)


def keccakf_instructions(drv: ABDriver) -> float:
    """AB instructions of one keccak-f[1600]: the step difference between 101 and 1 permutations
    in one request, over 100."""
    state = struct.pack("<25Q", *range(1, 26))
    drv.call(OP_KECCAKF_REPEAT, u64(1) + state)
    one = drv.last_steps
    drv.call(OP_KECCAKF_REPEAT, u64(101) + state)
    return (drv.last_steps - one) / 100


def recovery_request() -> bytes:
    """A valid OP_RECOVER argument: hash ‖ r ‖ s ‖ recid."""
    import coincurve

    h = bytes(range(32))
    return h + coincurve.PrivateKey(b"\x07" * 32).sign_recoverable(h, hasher=None)


def point_evaluation_input() -> bytes:
    """A valid point-evaluation input (0x0a): a proof that ckzg computes, with the trusted setup
    py-evm ships, for a fixed blob at a fixed point."""
    import hashlib
    import random

    import ckzg
    import eth

    setup = ckzg.load_trusted_setup(str(Path(eth.__file__).parent / "_utils" / "kzg_trusted_setup.txt"), 0)
    modulus = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    rng = random.Random(4844)
    blob = b"".join(rng.randrange(modulus).to_bytes(32, "big") for _ in range(4096))
    z = rng.randrange(modulus).to_bytes(32, "big")
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, setup))
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    return versioned + z + bytes(y) + commitment + bytes(proof)


def typical_requests() -> dict[str, tuple[int, bytes]]:
    """One typical OP_PRECOMPILE request per cost of interest (issue 5's bench inputs): a valid
    ecrecover, ecAdd and ecMul of generator multiples, a 2-pair pairing check that holds, a
    256-bit modexp with a 256-bit exponent, 12 blake2f rounds, sha256 and identity of 32 bytes,
    and a valid point evaluation (issue 14)."""
    from py_ecc import optimized_bn128 as bn

    def g1(p: object) -> bytes:
        x, y = bn.normalize(p)
        return be32(int(x)) + be32(int(y))

    def g2(q: object) -> bytes:
        x, y = bn.normalize(q)
        return b"".join(be32(int(c.coeffs[1])) + be32(int(c.coeffs[0])) for c in (x, y))

    rec = recovery_request()
    a, c = 1234567, 7654321
    calls = {
        "ecrecover": (1, rec[:32] + be32(27 + rec[96]) + rec[32:96]),
        "sha256_32": (2, bytes(32)),
        "identity_32": (4, bytes(range(32))),
        "modexp_256": (5, be32(32) * 3 + be32(3**150 % 2**256) + be32(2**256 - 1) + be32(2**256 - 189)),
        "ecadd": (6, g1(bn.multiply(bn.G1, 3)) + g1(bn.multiply(bn.G1, 5))),
        "ecmul": (7, g1(bn.multiply(bn.G1, 3)) + be32(2**256 - 12345)),
        "ecpairing_2": (8, g1(bn.multiply(bn.G1, a)) + g2(bn.multiply(bn.G2, c))
                        + g1(bn.neg(bn.multiply(bn.G1, a * c))) + g2(bn.G2)),
        "blake2f_12": (9, (12).to_bytes(4, "big") + bytes(208) + b"\x01"),
        "point_evaluation": (10, point_evaluation_input()),
    }
    return {name: (OP_PRECOMPILE, u64(addr) + u64(10**9) + data) for name, (addr, data) in calls.items()}


def precompile_costs(backend: str = "unicorn") -> dict[str, int]:
    """AB instructions per call of each typical request (the bench's `precompile_instructions`)."""
    drv = ABDriver(crypto_ab_image(), backend=backend)
    return {name: instructions_per_call(drv, op, arg, k=1) for name, (op, arg) in typical_requests().items()}


def recovery_instructions(backend: str = "unicorn") -> int:
    """AB instructions of one secp256k1 public-key recovery (the bench's `ecrecover_instructions`)."""
    drv = ABDriver(crypto_ab_image(), backend=backend)
    return instructions_per_call(drv, OP_RECOVER, recovery_request(), k=1)
