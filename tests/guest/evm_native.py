"""The native build of the guest's block executor, shared by the EVM tests (tests/guest/test_evm_*.py).

guest/tests/evm/run_block_host.c over every guest source except the RV64 entry point, compiled once per
test process with AddressSanitizer and UndefinedBehaviorSanitizer (toolchain/host.py).
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from toolchain.build import ROOT
from toolchain.host import build_host_executable

RUNNER = "guest/tests/evm/run_block_host.c"
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"


def guest_sources() -> list[str]:
    """Every C file of the guest except its RV64 entry point, the native runner, and the host's preimage
    oracle (guest/src/oracle.c reads through it: S version 2's blocks, given a preimages file)."""
    src = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "guest" / "src").rglob("*.c"))
    return [s for s in src if s != "guest/src/main.c"] + [RUNNER, "guest/host/preimages_host.c"]


@functools.cache
def native_runner() -> Path:
    """Build the runner once per process; returns the executable."""
    out = Path(tempfile.mkdtemp(prefix="evm_native_")) / "run_block_host"
    return build_host_executable(guest_sources(), out)


def preimages_file(preimages: Iterable[bytes], path: Path) -> Path:
    """The runner's oracle file: each preimage as a 4-byte little-endian length and its bytes."""
    path.write_bytes(b"".join(len(data).to_bytes(4, "little") + data for data in preimages))
    return path


def guest_run(image: bytes, work: Path, preimages: Iterable[bytes] | None = None) -> tuple[int, bytes]:
    """One guest step natively: (its result code EVM_STEP_*, the image it leaves in the window); the
    oracle holds `preimages` (S version 2).

    Fails the calling test on an exit that is not a yield (sanitizer reports, aborts: 100 and up)."""
    (work / "in").write_bytes(image)
    oracle = [] if preimages is None else [str(preimages_file(preimages, work / "preimages"))]
    done = subprocess.run([str(native_runner()), str(work / "in"), str(work / "out"), *oracle],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1, 2, 3), f"guest exited {done.returncode}: {done.stderr[-2000:]}"
    return done.returncode, (work / "out").read_bytes()


def guest_step(image: bytes, work: Path) -> bytes:
    """One guest step that must apply a block or find the inbox empty; the image it leaves."""
    code, out = guest_run(image, work)
    assert code in (0, 1), f"guest step result {code} (2: S does not decode, 3: fork not implemented)"
    return out
