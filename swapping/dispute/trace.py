"""What an honest party knows: exact machine states at any step, from checkpoints (level 2 of the game).

A MachineTrace runs one machine from a start state on an AB engine (Unicorn by default) and keeps a
MachineState checkpoint at every step count it has computed, so a bisection round runs only from
the nearest checkpoint at or below its midpoint, never from the start again. A ChainTrace adds
level 1: the S roots of A's snapshots at block boundaries and one MachineTrace per window.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.machine import Machine, is_running, make_machine
from emulator.oracle import PreimageOracle
from emulator.state import MachineState
from emulator.template import Template


@dataclass
class MachineTrace:
    """Roots and states of one machine run at exact step counts, computed on demand from checkpoints."""

    template: Template
    start: MachineState
    backend: str = "unicorn"
    oracle: PreimageOracle | None = None                 # serves the machine's preimage reads
    steps_run: int = 0                                   # engine steps executed so far (work done)
    _positions: list[int] = field(default_factory=list)
    _states: dict[int, MachineState] = field(default_factory=dict)
    _roots: dict[int, bytes] = field(default_factory=dict)
    _live: tuple[int, Machine] | None = None
    _halt: int | None = None

    def __post_init__(self) -> None:
        """Checkpoint 0 is the start state (copied: the caller's state is never mutated)."""
        self._remember(0, self.start.copy())

    def _remember(self, position: int, state: MachineState) -> None:
        """Keep a checkpoint (the state object is owned by the trace from now on)."""
        if position not in self._states:
            bisect.insort(self._positions, position)
        self._states[position] = state
        self._roots[position] = state.root()

    def _advance_to(self, position: int) -> None:
        """Compute the state at position: continue the live engine, or start one at the nearest checkpoint."""
        if position < 0:
            raise SwapvmError(f"no step {position}")
        if position in self._states:
            return
        base = self._positions[bisect.bisect_right(self._positions, position) - 1]
        if self._live is None or not base <= self._live[0] <= position:
            state = self._states[base].copy()
            self._live = (base, make_machine(self.backend, self.template, state, oracle=self.oracle))
        at, machine = self._live
        machine.run(position - at)
        self.steps_run += position - at
        self._live = (position, machine)
        self._remember(position, machine.state().copy())

    def root(self, position: int) -> bytes:
        """The machine root after exactly `position` steps."""
        self._advance_to(position)
        return self._roots[position]

    def state(self, position: int) -> MachineState:
        """A copy of the machine state after exactly `position` steps (the caller may mutate it)."""
        self._advance_to(position)
        return self._states[position].copy()

    def halt_step(self, limit: int) -> int:
        """Steps from the start until the machine leaves RUNNING (limit if it does not within limit)."""
        if self._halt is None:
            machine = make_machine(self.backend, self.template, self.start.copy(), oracle=self.oracle)
            self._halt = machine.run_until_halt(limit) if is_running(self.start) else 0
            self.steps_run += self._halt
            self._remember(self._halt, machine.state().copy())   # idle positions then cost O(1)
        return self._halt

    @property
    def checkpoints(self) -> int:
        """How many states the trace holds."""
        return len(self._states)


@dataclass
class ChainTrace:
    """A chain of 2^b windows: A's S images at the boundaries and AB traces inside the windows."""

    template: Template
    s_images: list[bytes]            # S_0 … S_2^b (padded with S_n: steps past the inbox are no-ops)
    backend: str = "unicorn"
    oracle: PreimageOracle | None = None   # serves every window's preimage reads (unless given per window)
    window_oracles: list[PreimageOracle | None] | None = None   # S version 2: window t's block's witness
    _roots: list[bytes] = field(default_factory=list)
    _windows: dict[int, MachineTrace] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """S roots of every boundary; the number of windows must be a power of two."""
        windows = len(self.s_images) - 1
        if windows < 1 or windows & (windows - 1):
            raise SwapvmError(f"a chain game needs 2^b + 1 snapshots, got {len(self.s_images)}")
        self._roots = [merkle.window_root(image) for image in self.s_images]

    @property
    def log2_window(self) -> int:
        """a: each window is 2^a steps."""
        return self.template.params.log2_window

    @property
    def log2_blocks(self) -> int:
        """b: the chain has 2^b windows."""
        return (len(self.s_images) - 1).bit_length() - 1

    @property
    def log2_steps(self) -> int:
        """a + b: the whole chain is 2^(a+b) steps."""
        return self.log2_window + self.log2_blocks

    def split(self, position: int) -> tuple[int, int]:
        """(window t, step n inside it) of a global position."""
        return position >> self.log2_window, position & ((1 << self.log2_window) - 1)

    def s_root(self, block: int) -> bytes:
        """The S root at boundary `block` (A's snapshot S_block)."""
        return self._roots[block]

    def window(self, block: int) -> MachineTrace:
        """The AB trace of window `block`: Q* attached to S_block."""
        if not 0 <= block < len(self.s_images) - 1:
            raise SwapvmError(f"no window {block}: the chain has {len(self.s_images) - 1}")
        if block not in self._windows:
            start = self.template.initial_state(self.s_images[block])
            self._windows[block] = MachineTrace(self.template, start, self.backend, self.oracle_of(block))
        return self._windows[block]

    def oracle_of(self, block: int) -> PreimageOracle | None:
        """The oracle window `block` runs with: its block's witness on S version 2, else the shared one."""
        if self.window_oracles is not None and block < len(self.window_oracles):
            return self.window_oracles[block]
        return self.oracle

    def oracle_at(self, position: int) -> PreimageOracle | None:
        """The oracle of the window holding the step from `position`."""
        return self.oracle_of(self.split(position)[0])

    def claim(self, position: int) -> bytes:
        """The honest claim: the S root at a boundary, else the machine root inside a window."""
        block, step = self.split(position)
        return self.s_root(block) if step == 0 else self.window(block).root(step)

    def state(self, position: int) -> MachineState:
        """The machine state at a global position (a boundary is the start of the next window)."""
        block, step = self.split(position)
        return self.window(block).state(step)

    @property
    def steps_run(self) -> int:
        """AB steps executed over all windows."""
        return sum(trace.steps_run for trace in self._windows.values())


@dataclass
class SingleTrace:
    """A machine game's knowledge: one MachineTrace, every position claimed as a machine root."""

    trace: MachineTrace
    log2_steps: int

    @property
    def template(self) -> Template:
        """The machine template."""
        return self.trace.template

    @property
    def oracle(self) -> PreimageOracle | None:
        """The preimage oracle of the machine."""
        return self.trace.oracle

    def oracle_at(self, position: int) -> PreimageOracle | None:
        """The machine's oracle (one for every step)."""
        return self.trace.oracle

    def claim(self, position: int) -> bytes:
        """The machine root after `position` steps."""
        return self.trace.root(position)

    def state(self, position: int) -> MachineState:
        """The machine state after `position` steps."""
        return self.trace.state(position)

    @property
    def steps_run(self) -> int:
        """Engine steps executed."""
        return self.trace.steps_run
