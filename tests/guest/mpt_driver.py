"""The trie test driver (guest/tests/mpt) seen from the tests: a native build under ASan/UBSan, and
conversations with it. Its encodings, the recording node database and the trie builder live in
bench/mpt_probe.py (shared with `swapvm bench mpt`) and are re-exported here.

A test fills the driver's oracle table with the nodes of a trie built by py-trie, then runs a
sequence of gets, puts and deletes on the guest's partial trie that starts from the root alone.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from pathlib import Path

from core_driver import NativeDriver

from bench.mpt_probe import (  # noqa: F401  (re-exported for the tests)
    LIB_SOURCES,
    OP_MPT_RUN,
    OP_ORACLE_CLEAR,
    OP_ORACLE_PUT,
    OP_ORACLE_READ,
    OP_ORACLE_TOUCHED,
    STEP_DELETE,
    STEP_GET,
    STEP_PUT,
    STEP_REOPEN,
    STEP_ROOT,
    STEP_ROOT_EMIT,
    STEP_WRITE,
    STEP_APPLY,
    RecordingDB,
    RunResult,
    Step,
    build_driver,
    build_secure_trie,
    parse_run,
    preimages_arg,
    steps_arg,
)
from bench.guest_probe import GUEST
from toolchain.host import build_host_executable

PREIMAGES_HOST_MISSING_EXIT = 90    # guest/host/preimages_host.h
RT_ABORT_PREIMAGE = 3               # guest/include/rt.h
RT_ABORT_TRIE_NODE = 4


def build_native(out_dir: Path) -> Path:
    """The driver under ASan/UBSan."""
    return build_driver(out_dir, sanitize=True)


def build_fuzz_sampler(out_dir: Path) -> Path:
    """The libFuzzer target guest/tests/fuzz/fuzz_mpt.c over random_main.c (a fixed pseudo-random
    sample of inputs, for hosts without clang), under ASan/UBSan with the host compiler."""
    fuzz = GUEST / "tests" / "fuzz"
    sources = [fuzz / "fuzz_mpt.c", fuzz / "random_main.c", GUEST / "host" / "preimages_host.c"]
    sources += [GUEST / "src" / s for s in LIB_SOURCES]
    return build_host_executable(sources, out_dir / "fuzz_mpt_sample")


def put_preimages(drv: NativeDriver, items: Iterable[tuple[bytes, bytes]]) -> None:
    """Add (key, preimage) pairs to the driver's oracle table, in batches."""
    batch: list[tuple[bytes, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) == 4096:
            assert drv.call(OP_ORACLE_PUT, preimages_arg(batch)) == (0, b"")
            batch = []
    assert drv.call(OP_ORACLE_PUT, preimages_arg(batch)) == (0, b"")


def touched(drv: NativeDriver) -> list[bytes]:
    """The distinct oracle keys read since the last call (the log is emptied)."""
    status, out = drv.call(OP_ORACLE_TOUCHED, b"")
    assert status == 0
    n = struct.unpack_from("<Q", out)[0]
    return [out[8 + 32 * i: 40 + 32 * i] for i in range(n)]


def encode_steps(steps: Sequence[Step]) -> bytes:
    """The steps as OP_MPT_RUN reads them after its root."""
    return steps_arg(b"", steps)


def run(drv: NativeDriver, root: bytes, steps: Sequence[Step]) -> RunResult:
    """Run the steps on a trie opened at `root`; decode the answers."""
    status, out = drv.call(OP_MPT_RUN, steps_arg(root, steps))
    assert status == 0, f"OP_MPT_RUN status {status:#x}"
    return parse_run(out, steps)
