"""What the guest implements: its forks, and its exit codes by name (guest/include/evm.h).

A chain of a fork the guest does not implement is refused before anything runs on AB: the guest
would leave S unchanged with exit code 3, which a replay would show as a mismatch on every block
and a dispute would make the honest party lose."""

from __future__ import annotations

from collections.abc import Iterable

from emulator.errors import SwapvmError
from fastvm.forks import FORK_NAMES
from fastvm.state import EssentialState, Fork
from fastvm.state_v2 import EssentialStateV2

# The forks evm_window_step applies (guest/src/evm/block.c); any other yields EVM_STEP_UNSUPPORTED.
GUEST_FORKS = (Fork.SHANGHAI, Fork.CANCUN)

# EVM_STEP_* of guest/include/evm.h: the guest's yield code after one window.
EXIT_NAMES = {0: "applied", 1: "idle", 2: "bad state", 3: "unsupported fork"}
EXIT_APPLIED, EXIT_IDLE = 0, 1


def exit_name(code: int) -> str:
    """The guest's exit code with its name, e.g. `3 (unsupported fork)`."""
    return f"{code} ({EXIT_NAMES.get(code, 'not a guest exit code')})"


def unsupported_fork(fork: Fork) -> str | None:
    """Why AB cannot run a chain of fork (one line naming it), or None when the guest implements it."""
    if fork in GUEST_FORKS:
        return None
    runs = " and ".join(FORK_NAMES[f] for f in GUEST_FORKS)
    return (f"the guest does not implement {FORK_NAMES[fork]} (fork {int(fork)}; it runs {runs}): "
            "machine A alone can run it (swapvm fast run, swapvm conformance evm --machines a)")


def require_guest_forks(chains: Iterable[tuple[str, EssentialState | EssentialStateV2]]) -> None:
    """Raise a one-line SwapvmError naming the first chain with a fork the guest does not implement
    (version 2: any fork of its schedule), or a schedule entry with other than the default blob parameters."""
    for name, state in chains:
        if isinstance(state, EssentialStateV2):
            from fastvm.export_v2 import non_default_blobs

            blobs = non_default_blobs(state.config)
            if blobs:
                raise SwapvmError(f"{name}: {blobs}")
            forks = [entry.fork for entry in state.config.forks]
        else:
            forks = [state.fork]
        for fork in forks:
            reason = unsupported_fork(fork)
            if reason:
                raise SwapvmError(f"{name}: {reason}")
