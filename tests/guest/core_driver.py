"""The core guest test driver (guest/tests/core) seen from Python: building it natively,
talking to it, and the argument encodings of its operations.

The driver speaks the test-harness framing of guest/tests/harness/harness.h: a request is
``u64 op, u64 len, bytes`` and a response ``u64 status, u64 len, bytes`` (little-endian). The
native build runs under AddressSanitizer and UndefinedBehaviorSanitizer and answers one request
at a time on stdin/stdout; a batch is the concatenation of requests, which is also what the
machine-AB run reads from the S window.
"""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path

from emulator.layout import S_BASE, SHADOW_STATUS, SHADOW_X
from emulator.machine import make_machine, shadow_field
from toolchain.build import ImageSpec, build_image
from toolchain.host import build_host_executable

ROOT = Path(__file__).resolve().parents[2]
GUEST = ROOT / "guest"
HARNESS = GUEST / "tests" / "harness"
CORE = GUEST / "tests" / "core"

# Library sources under test (guest/src).
LIB_SOURCES = ["bytes.c", "keccak.c", "sha256.c", "ripemd160.c", "bloom.c", "rlp.c", "trie.c",
               "scodec/header.c", "scodec/decode.c", "scodec/encode.c", "scodec/world_root.c"]
STATUS_YIELDED = 1

# Operation numbers (guest/tests/core/ops.h).
OP_KECCAK256 = 1
OP_KECCAK_SPLIT = 2
OP_KECCAKF = 3
OP_KECCAKF_REPEAT = 9
OP_SHA256 = 4
OP_RIPEMD160 = 5
OP_BLOOM = 6
OP_TRIE_ROOT = 7
OP_TRIE_INDEXED = 8
OP_RLP_DECODE = 10
OP_RLP_ENCODE = 11
OP_RLP_UINT = 12
OP_RLP_U64 = 13
OP_RLP_FIXED = 14
OP_RLP_LIST_EXACT = 15
OP_RLP_PUT_U64 = 16
OP_RLP_PUT_UINT = 17
OP_S_ROUNDTRIP = 20
OP_S_WRITE = 21
OP_S_WORLD_ROOT = 22
OP_WORLD_ROOT_SLOTS = 23

HARNESS_UNKNOWN_OP = 2**64 - 1
HARNESS_BAD_REQUEST = 2**64 - 2

# rlp_err (guest/include/rlp.h).
RLP_OK = 0
RLP_ERR_TRUNCATED = 1
RLP_ERR_NONCANON_SINGLE = 2
RLP_ERR_NONCANON_LONG = 3
RLP_ERR_LEN_LEADING_ZERO = 4
RLP_ERR_LEN_OVERFLOW = 5
RLP_ERR_TRAILING = 6
RLP_ERR_KIND = 7
RLP_ERR_INT_LEADING_ZERO = 8
RLP_ERR_INT_TOO_BIG = 9
RLP_ERR_SIZE = 10
RLP_ERR_COUNT = 11

Response = tuple[int, bytes]
RlpTree = bytes | list["RlpTree"]


def u64(v: int) -> bytes:
    """A little-endian u64."""
    return struct.pack("<Q", v)


def blob(b: bytes) -> bytes:
    """A u64 length followed by the bytes."""
    return u64(len(b)) + b


def frame(op: int, arg: bytes) -> bytes:
    """One framed request."""
    return u64(op) + blob(arg)


def parse_responses(data: bytes) -> list[Response]:
    """Split a concatenation of framed responses."""
    out: list[Response] = []
    pos = 0
    while pos < len(data):
        status, n = struct.unpack_from("<QQ", data, pos)
        out.append((status, data[pos + 16 : pos + 16 + n]))
        pos += 16 + n
    assert pos == len(data), "truncated response batch"
    return out


def dump_tree(tree: RlpTree) -> bytes:
    """The driver's tree dump of a decoded RLP item (tags of guest/tests/core/ops.h)."""
    if isinstance(tree, bytes | bytearray):
        return b"\x00" + blob(bytes(tree))
    return b"\x01" + u64(len(tree)) + b"".join(dump_tree(t) for t in tree)


def build_native(out_dir: Path) -> Path:
    """Compile the driver for the host under ASan/UBSan (toolchain/host.py); returns the executable."""
    sources = [GUEST / "src" / s for s in LIB_SOURCES] + [HARNESS / "harness.c", HARNESS / "harness_host.c",
                                                         CORE / "driver.c"]
    return build_host_executable(sources, out_dir / "core_driver")


def build_libfuzzer(target: Path, sources: Sequence[Path], exe: Path) -> Path:
    """Compile a libFuzzer target (its .c file) with guest sources over guest/host/rt_host.c,
    under ASan and UBSan with clang; skips the calling test when clang is missing."""
    import shutil

    import pytest

    clang = shutil.which("clang")
    if clang is None:
        pytest.skip("clang (libFuzzer) is not installed")
    subprocess.run(
        [clang, "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
         "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all", f"-I{GUEST / 'include'}",
         str(target), str(GUEST / "host" / "rt_host.c"), *map(str, sources), "-o", str(exe)],
        check=True,
    )
    return exe


def build_ab(out_dir: Path) -> Path:
    """Build the driver as a machine-AB image (toolchain/build.py); returns the ELF file."""
    sources = tuple(f"guest/src/{s}" for s in LIB_SOURCES) + (
        "guest/tests/harness/harness.c", "guest/tests/harness/harness_ab.c", "guest/tests/core/driver.c")
    return build_image(ImageSpec("core_tests", sources, locked=False), out_dir / "core_tests.elf")


class NativeDriver:
    """A long-lived native driver process, one request and one response at a time."""

    def __init__(self, exe: Path) -> None:
        self.proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, op: int, arg: bytes) -> Response:
        """Send one request and read its response."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(frame(op, arg))
        self.proc.stdin.flush()
        head = self.proc.stdout.read(16)
        assert len(head) == 16, f"driver died on op {op} (exit {self.proc.wait()})"
        status, n = struct.unpack("<QQ", head)
        return status, self.proc.stdout.read(n)

    def batch(self, requests: Sequence[tuple[int, bytes]]) -> list[Response]:
        """Answer several requests, in order."""
        return [self.call(op, arg) for op, arg in requests]

    def close(self) -> None:
        """End the process; a sanitizer report or crash makes the exit code nonzero."""
        assert self.proc.stdin
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=60)
        assert rc == 0, f"driver exited with {rc}"


class ABDriver:
    """The same driver as an AB image: each batch is one window of machine AB from Q*.

    The requests go into the S window (``u64 N`` then N bytes); the machine runs until it
    yields; the responses are read back from the window (``u64 M`` then M bytes).
    """

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
