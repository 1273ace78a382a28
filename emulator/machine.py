"""The backend interface every engine implements, the reference machine, and the backend factory."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from emulator.access import DirectAccess
from emulator.errors import SwapvmError
from emulator.layout import (
    CAUSE_NAMES,
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_TVAL,
    SHADOW_X,
    STATUS_NAMES,
    STATUS_RUNNING,
)
from emulator.oracle import PreimageOracle
from emulator.state import MachineState
from emulator.step import idle, step
from emulator.template import Template

BACKENDS = ("reference", "fast", "unicorn")
Output = Callable[[int, bytes], None]


class Machine(Protocol):
    """A machine AB engine: exact step counts, O(1) idle fast-forward, the full state on demand."""

    template: Template

    def run(self, steps: int) -> int:
        """Run exactly `steps` steps (idle ones fast-forwarded, the clean included); return steps done."""
        ...

    def run_until_halt(self, max_steps: int) -> int:
        """Run until right after the step that leaves RUNNING, or max_steps; return steps done."""
        ...

    def state(self) -> MachineState:
        """The full machine state (registers and fields in the shadow page), current."""
        ...

    def root(self) -> bytes:
        """The machine root of the current state."""
        ...


def shadow_field(state: MachineState, offset: int) -> int:
    """One u64 field of the shadow page."""
    return state.read_u64(SHADOW_BASE + offset)


def is_running(state: MachineState) -> bool:
    """Whether the machine executes instructions (status RUNNING)."""
    return shadow_field(state, SHADOW_STATUS) == STATUS_RUNNING


def describe(state: MachineState) -> dict[str, int | str]:
    """The human-facing fields of a state: pc, clock, status, cause, tval, a0, and the root."""
    status = shadow_field(state, SHADOW_STATUS)
    cause = shadow_field(state, SHADOW_CAUSE)
    return {
        "status": STATUS_NAMES.get(status, f"unknown({status})"),
        "cause": CAUSE_NAMES.get(cause, f"unknown({cause})"),
        "tval": shadow_field(state, SHADOW_TVAL),
        "pc": shadow_field(state, SHADOW_PC),
        "clock": shadow_field(state, SHADOW_CLOCK),
        "a0": shadow_field(state, SHADOW_X + 8 * 10),
        "root": state.root().hex(),
    }


class ReferenceMachine:
    """The spec step over DirectAccess: the definition of machine AB, one step at a time."""

    def __init__(
        self,
        template: Template,
        state: MachineState,
        output: Output | None = None,
        oracle: PreimageOracle | None = None,
    ) -> None:
        """Run template's machine from state (mutated in place); oracle serves ECALL 1001."""
        self.template = template
        self._state = state
        self.oracle = oracle
        self._access = DirectAccess(state, template.qstar_pages(), output, oracle)

    def run(self, steps: int) -> int:
        """Exactly `steps` steps; idle stretches are one O(1) update."""
        done = 0
        while done < steps:
            skipped = idle(self._access, steps - done)
            if skipped:
                done += skipped
                continue
            step(self._access)
            done += 1
        return done

    def run_until_halt(self, max_steps: int) -> int:
        """Step while RUNNING; stop right after the step that yields or faults (or at max_steps)."""
        done = 0
        while done < max_steps and is_running(self._state):
            step(self._access)
            done += 1
        return done

    def state(self) -> MachineState:
        """The live state."""
        return self._state

    def root(self) -> bytes:
        """The machine root."""
        return self._state.root()


def make_machine(
    backend: str,
    template: Template,
    state: MachineState,
    output: Output | None = None,
    oracle: PreimageOracle | None = None,
) -> Machine:
    """An engine by name: "reference" (spec step), "fast" (predecoded Python), "unicorn".

    oracle serves the preimage reads (ECALL 1001); None is an empty oracle (every read a host error).
    """
    if backend == "reference":
        return ReferenceMachine(template, state, output, oracle)
    if backend == "fast":
        from emulator.fast import FastMachine

        return FastMachine(template, state, output, oracle)
    if backend == "unicorn":
        try:
            module = importlib.import_module("emulator.unicorn_engine")
        except ModuleNotFoundError as exc:
            if exc.name == "emulator.unicorn_engine":
                raise SwapvmError(
                    "the unicorn backend is not built yet (no emulator/unicorn_engine.py)"
                ) from None
            raise
        machine: Machine = module.UnicornMachine(template, state, output, oracle)
        return machine
    raise SwapvmError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


FIELD_NAMES = {SHADOW_X + 8 * i: f"x{i}" for i in range(1, 32)} | {
    SHADOW_PC: "pc", SHADOW_CLOCK: "clock", SHADOW_STATUS: "status",
    SHADOW_CAUSE: "cause", SHADOW_TVAL: "tval",
}


def differing_fields(a: MachineState, b: MachineState) -> dict[str, Any]:
    """Registers and machine fields that differ, as name -> [a, b], plus the other differing pages."""
    diff: dict[str, Any] = {}
    for offset, name in FIELD_NAMES.items():
        va, vb = shadow_field(a, offset), shadow_field(b, offset)
        if va != vb:
            diff[name] = [va, vb]
    pages_a, pages_b = a.nonzero_pages(), b.nonzero_pages()
    pages = sorted(n for n in set(pages_a) | set(pages_b) if n and pages_a.get(n) != pages_b.get(n))
    if pages:
        diff["pages"] = [f"{n << 12:#x}" for n in pages]
    named = any(name in diff for name in FIELD_NAMES.values())
    if a.read(SHADOW_BASE, 4096) != b.read(SHADOW_BASE, 4096) and not named:
        diff["shadow page"] = "differs outside the named fields"
    return diff


@dataclass
class LockstepResult:
    """The outcome of a lockstep run: steps done, the first engine's state, the first divergence if any."""

    steps: int
    state: MachineState
    divergence: dict[str, Any] | None


def lockstep(
    template: Template,
    state: MachineState,
    backends: tuple[str, ...],
    max_steps: int,
    every: int = 1,
    oracle: PreimageOracle | None = None,
) -> LockstepResult:
    """Run engines side by side from copies of state, comparing roots every `every` steps until a halt."""
    machines = [make_machine(name, template, state.copy(), None, oracle) for name in backends]
    done = 0
    while done < max_steps:
        chunk = min(every, max_steps - done)
        counts = [machine.run_until_halt(chunk) for machine in machines]
        roots = [machine.root() for machine in machines]
        if len(set(counts)) > 1 or len(set(roots)) > 1:
            first, second = machines[0].state(), machines[1].state()
            divergence = {
                "between_steps": [done, done + max(counts)],
                "steps": dict(zip(backends, counts, strict=True)),
                "roots": {name: root.hex() for name, root in zip(backends, roots, strict=True)},
                "fields": differing_fields(first, second),
            }
            return LockstepResult(done + counts[0], first, divergence)
        done += counts[0]
        if counts[0] < chunk:
            break
    return LockstepResult(done, machines[0].state(), None)
