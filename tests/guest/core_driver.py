"""The core guest test driver (guest/tests/core) seen from Python: building it natively,
talking to it, and the argument encodings of its operations.

The driver speaks the test-harness framing of guest/tests/harness/harness.h: a request is
``u64 op, u64 len, bytes`` and a response ``u64 status, u64 len, bytes`` (little-endian). The
native build runs under AddressSanitizer and UndefinedBehaviorSanitizer and answers one request
at a time on stdin/stdout; a batch is the concatenation of requests, which is also what the
machine-AB run reads from the S window. The framing, the AB driver and the AB image of this
driver live in bench/guest_probe.py (shared with `swapvm bench guest`) and are re-exported here.
"""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench.guest_probe import CORE_LIB_SOURCES as LIB_SOURCES
from bench.guest_probe import GUEST, HARNESS, Response, frame, u64
from toolchain.host import build_host_executable

CORE = GUEST / "tests" / "core"

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
OP_MEM = 25

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

RlpTree = bytes | list["RlpTree"]


def blob(b: bytes) -> bytes:
    """A u64 length followed by the bytes."""
    return u64(len(b)) + b


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
