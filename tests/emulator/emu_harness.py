"""Run small test programs on any backend and read back registers and fields."""

from __future__ import annotations

from collections.abc import Iterable

from rvasm import assemble, li, yield_

from emulator.layout import (
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_TVAL,
    SHADOW_X,
)
from emulator.machine import make_machine
from emulator.state import MachineState
from emulator.template import MachineParams, Template, template_from_code

SMALL = MachineParams(log2_window=20, ram_size=1 << 16, s_size=1 << 16)


def run(
    backend: str,
    words: Iterable[int],
    *,
    s_bytes: bytes = b"",
    rodata: bytes = b"",
    params: MachineParams = SMALL,
    max_steps: int = 100_000,
) -> MachineState:
    """Assemble words at ROM_BASE, run until halt (or max_steps) on backend, return the state."""
    template = template_from_code(assemble(words), params, rodata)
    machine = make_machine(backend, template, template.initial_state(s_bytes))
    machine.run_until_halt(max_steps)
    return machine.state()


def make(words: Iterable[int], params: MachineParams = SMALL, rodata: bytes = b"") -> Template:
    """A template for words."""
    return template_from_code(assemble(words), params, rodata)


def x(state: MachineState, i: int) -> int:
    """Register i."""
    return state.read_u64(SHADOW_BASE + SHADOW_X + 8 * i)


def pc(state: MachineState) -> int:
    """The pc."""
    return state.read_u64(SHADOW_BASE + SHADOW_PC)


def clock(state: MachineState) -> int:
    """The clock."""
    return state.read_u64(SHADOW_BASE + SHADOW_CLOCK)


def status(state: MachineState) -> int:
    """The status (0 running, 1 yielded, 2 faulted)."""
    return state.read_u64(SHADOW_BASE + SHADOW_STATUS)


def fault(state: MachineState) -> tuple[int, int]:
    """(cause, tval)."""
    return state.read_u64(SHADOW_BASE + SHADOW_CAUSE), state.read_u64(SHADOW_BASE + SHADOW_TVAL)


def binop(backend: str, words_for: list[int], a: int, b: int) -> int:
    """x7 after: x5 = a; x6 = b; <words_for>; yield."""
    state = run(backend, [*li(5, a), *li(6, b), *words_for, *yield_()])
    assert status(state) == 1, "the program should reach its yield"
    return x(state, 7)
