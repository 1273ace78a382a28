"""One AB window on one essential state: the task that double-checks a transition S_t -> S_t+1.

Pure and picklable, so it runs the same in a local process pool or on a Dask worker: inputs are the
guest ELF bytes, the window size and S_t's image; the output is S_t+1 as AB computed it.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from emulator.layout import (
    CAUSE_NAMES,
    S_BASE,
    SHADOW_CAUSE,
    SHADOW_STATUS,
    SHADOW_TVAL,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_NAMES,
    STATUS_YIELDED,
)
from emulator.oracle import PreimageOracle

if TYPE_CHECKING:
    from emulator.machine import Output

S_HEADER = struct.Struct("<QQ")
S_VERSIONS = (1, 2)             # the framing versions the guest reads (spec §3.1, §6.2)
SHADOW_A0 = SHADOW_X + 8 * 10   # x10, the guest's exit code at its yield


@dataclass(frozen=True)
class WindowResult:
    """What one window did: steps until the guest stopped, how it stopped, and the S it left."""

    steps: int              # steps until the guest left RUNNING (2^a - 1 if it never did)
    status: str             # "yielded", "faulted" or "overrun"
    cause: str              # the fault cause name when faulted
    tval: int
    exit_code: int          # the guest's yield code (a0; guest/include/evm.h) when yielded, else 0
    s_image: bytes          # the S window's image after the clean (header + payload), b"" if unreadable
    s_root: bytes           # the S subtree root after the window
    machine_root: bytes     # the machine root after exactly 2^a steps
    seconds: float


@lru_cache(maxsize=4)
def _template(elf: bytes, ram_size: int, s_size: int, log2_window: int):  # noqa: ANN202 - Template
    """Templates are cached per worker process: building one hashes the whole ROM."""
    from emulator.image import template_from_image
    from emulator.template import MachineParams

    return template_from_image(elf, MachineParams(log2_window=log2_window, ram_size=ram_size, s_size=s_size))


def window_root_of(elf: bytes, ram_size: int, s_size: int, log2_window: int) -> Callable[[bytes], bytes]:
    """The machine root at a window's end as a function of its S root (Q = Q* after the clean)."""
    return _template(elf, ram_size, s_size, log2_window).window_root


def read_s_image(state, s_size: int) -> bytes:  # noqa: ANN001 - MachineState
    """The framed S image at the start of the S window, or b"" if its header is impossible."""
    version, length = S_HEADER.unpack(state.read(S_BASE, S_HEADER.size))
    if version not in S_VERSIONS or length > s_size - S_HEADER.size:
        return b""
    return state.read(S_BASE, S_HEADER.size + length)


def run_window(
    elf: bytes, ram_size: int, s_size: int, log2_window: int, s_image: bytes, backend: str = "unicorn",
    oracle: PreimageOracle | None = None, output: Output | None = None,
) -> WindowResult:
    """Attach Q* to S_t, run exactly 2^a steps (to the yield, then idle to the clean), detach S.

    oracle serves the guest's preimage reads (spec §2.4); a missing key raises PreimageMissing.
    output receives the guest's ECALL 64 writes, its hints (fd 3) among them; None drops them.
    """
    from emulator.machine import make_machine, shadow_field

    start = time.perf_counter()
    template = _template(elf, ram_size, s_size, log2_window)
    machine = make_machine(backend, template, template.initial_state(s_image), output, oracle)
    window = 1 << log2_window
    # The guest must leave RUNNING before the window's last step (the clean): spec §5.
    steps = machine.run_until_halt(window - 1)
    state = machine.state()
    status_code = shadow_field(state, SHADOW_STATUS)
    cause = shadow_field(state, SHADOW_CAUSE)
    tval = shadow_field(state, SHADOW_TVAL)
    exit_code = shadow_field(state, SHADOW_A0) if status_code == STATUS_YIELDED else 0
    status = STATUS_NAMES[status_code] if status_code in (STATUS_YIELDED, STATUS_FAULTED) else "overrun"
    machine.run(window - steps)   # idle ticks, then the clean
    state = machine.state()
    return WindowResult(
        steps=steps,
        status=status,
        cause=CAUSE_NAMES.get(cause, str(cause)) if status == "faulted" else "",
        tval=tval if status == "faulted" else 0,
        exit_code=exit_code,
        s_image=read_s_image(state, s_size),
        s_root=state.node(25, 1),
        machine_root=machine.root(),
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class MissingInWitness:
    """A window stopped because its witness lacks a preimage: the host's problem, never a machine state."""

    key: bytes


def window_task(
    elf: bytes, ram_size: int, s_size: int, log2_window: int, s_image: bytes, backend: str = "unicorn",
    witness: bytes | None = None,
) -> WindowResult | MissingInWitness:
    """The replay's task: one window on S_t, on S version 2 with the block's witness (task bytes) as oracle.

    A worker receives S_t's image and the witness's preimages only, never the world or the store."""
    if witness is None:
        return run_window(elf, ram_size, s_size, log2_window, s_image, backend)
    from emulator.oracle import PreimageMissing
    from swapping.sv2 import witness_oracle

    try:
        return run_window(elf, ram_size, s_size, log2_window, s_image, backend, witness_oracle(witness))
    except PreimageMissing as exc:
        return MissingInWitness(exc.key)
