"""The trie test driver (guest/tests/mpt) seen from Python: building it natively, the encodings
of its operations, and a recording node database for py-trie (the witness a client reads).

The driver holds the preimage oracle's host table (guest/host/preimages_host.c): a test fills it
with the nodes of a trie built by py-trie, then runs a sequence of gets, puts and deletes on the
guest's partial trie (guest/src/mpt.c) that starts from the root alone.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core_driver import NativeDriver, blob, u64

from bench.guest_probe import GUEST, HARNESS
from toolchain.host import build_host_executable

MPT = GUEST / "tests" / "mpt"
LIB_SOURCES = ["bytes.c", "keccak.c", "rlp.c", "trie.c", "oracle.c", "mpt.c"]

# guest/tests/mpt/ops.h
OP_ORACLE_PUT = 1
OP_ORACLE_CLEAR = 2
OP_ORACLE_TOUCHED = 3
OP_ORACLE_READ = 4
OP_MPT_RUN = 5
STEP_GET = 0
STEP_PUT = 1
STEP_DELETE = 2
STEP_ROOT = 3
STEP_ROOT_EMIT = 4
STEP_REOPEN = 5

PREIMAGES_HOST_MISSING_EXIT = 90    # guest/host/preimages_host.h
RT_ABORT_PREIMAGE = 3               # guest/include/rt.h
RT_ABORT_TRIE_NODE = 4

Step = tuple[int, bytes, bytes]


def build_native(out_dir: Path, *, sanitize: bool = True, optimize: str = "-O1") -> Path:
    """Compile the driver for the host (ASan/UBSan by default); returns the executable."""
    harness = [HARNESS / "harness.c", HARNESS / "harness_host.c"]
    sources = [GUEST / "src" / s for s in LIB_SOURCES] + harness
    sources += [MPT / "driver.c", GUEST / "host" / "preimages_host.c"]
    extra = () if optimize == "-O1" else (optimize,)
    return build_host_executable(sources, out_dir / ("mpt_driver" if sanitize else "mpt_driver_plain"),
                                 sanitize=sanitize, extra_flags=extra)


def build_fuzz_sampler(out_dir: Path) -> Path:
    """The libFuzzer target guest/tests/fuzz/fuzz_mpt.c over random_main.c (a fixed pseudo-random
    sample of inputs, for hosts without clang), under ASan/UBSan with the host compiler."""
    fuzz = GUEST / "tests" / "fuzz"
    sources = [fuzz / "fuzz_mpt.c", fuzz / "random_main.c", GUEST / "host" / "preimages_host.c"]
    sources += [GUEST / "src" / s for s in LIB_SOURCES]
    return build_host_executable(sources, out_dir / "fuzz_mpt_sample")


def put_preimages(drv: NativeDriver, items: Iterable[tuple[bytes, bytes]]) -> None:
    """Add (key, preimage) pairs to the driver's oracle table, in batches."""
    batch: list[bytes] = []
    for key, data in items:
        batch.append(key + blob(data))
        if len(batch) == 4096:
            assert drv.call(OP_ORACLE_PUT, u64(len(batch)) + b"".join(batch)) == (0, b"")
            batch = []
    assert drv.call(OP_ORACLE_PUT, u64(len(batch)) + b"".join(batch)) == (0, b"")


def touched(drv: NativeDriver) -> list[bytes]:
    """The distinct oracle keys read since the last call (the log is emptied)."""
    status, out = drv.call(OP_ORACLE_TOUCHED, b"")
    assert status == 0
    n = struct.unpack_from("<Q", out)[0]
    return [out[8 + 32 * i: 40 + 32 * i] for i in range(n)]


@dataclass
class RunResult:
    """What OP_MPT_RUN answered: one entry per get/delete/root step, and the run's counters."""

    answers: list[object]
    oracle_reads: int
    oracle_bytes: int
    oracle_calls: int
    decoded: int
    hashed: int


def encode_steps(steps: Sequence[Step]) -> bytes:
    """The steps as OP_MPT_RUN reads them."""
    return u64(len(steps)) + b"".join(bytes([k]) + blob(key) + blob(v) for k, key, v in steps)


def run(drv: NativeDriver, root: bytes, steps: Sequence[Step]) -> RunResult:
    """Run the steps on a trie opened at `root`; decode the answers."""
    status, out = drv.call(OP_MPT_RUN, root + encode_steps(steps))
    assert status == 0, f"OP_MPT_RUN status {status:#x}"
    answers: list[object] = []
    pos = 0
    for kind, _, _ in steps:
        if kind == STEP_GET:
            found = out[pos] == 1
            n = struct.unpack_from("<Q", out, pos + 1)[0]
            answers.append(out[pos + 9: pos + 9 + n] if found else None)
            pos += 9 + n
        elif kind == STEP_DELETE:
            answers.append(out[pos] == 1)
            pos += 1
        elif kind in (STEP_ROOT, STEP_ROOT_EMIT, STEP_REOPEN):
            answers.append(out[pos: pos + 32])
            pos += 32
    counters = struct.unpack_from("<5Q", out, pos)
    assert pos + 40 == len(out)
    return RunResult(answers, *counters)


class RecordingDB(dict[bytes, bytes]):
    """A node database that records every key read from it (py-trie reads nodes by hash)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.reads: set[bytes] = set()

    def __getitem__(self, key: bytes) -> bytes:
        self.reads.add(key)
        return super().__getitem__(key)
