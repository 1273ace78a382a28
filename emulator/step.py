"""The step of machine AB (spec §2.3), written once over a state access; it defines the machine.

    step():
        if status == RUNNING: execute one instruction at pc
        clock += 1
        if clock == 2^log2_window: clean()
"""

from __future__ import annotations

from emulator.access import StateAccess
from emulator.isa import Cpu, Trap, decode
from emulator.isa.core import MASK64, fetchable
from emulator.layout import (
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
    SHADOW_TVAL,
    STATUS_FAULTED,
    STATUS_RUNNING,
)


def fetch(cpu: Cpu, pc: int) -> int:
    """The word at pc; a pc not 4-aligned, or outside [text_start, text_end - 4] clipped to ROM, faults."""
    if not fetchable(pc, cpu.field(SHADOW_TEXT_START), cpu.field(SHADOW_TEXT_END)):
        raise Trap(CAUSE_FETCH, pc)
    return int.from_bytes(cpu.access.read(pc, 4), "little")


def execute(cpu: Cpu) -> None:
    """Retire one instruction, or fault: status FAULTED, cause, tval, and nothing else changed."""
    pc = cpu.field(SHADOW_PC)
    try:
        word = fetch(cpu, pc)
        semantics = decode(word)
        if semantics is None:
            raise Trap(CAUSE_ILLEGAL, word)
        next_pc = semantics(cpu, word, pc)
    except Trap as trap:
        cpu.set_field(SHADOW_STATUS, STATUS_FAULTED)
        cpu.set_field(SHADOW_CAUSE, trap.cause)
        cpu.set_field(SHADOW_TVAL, trap.tval)
        return
    cpu.set_field(SHADOW_PC, next_pc)


def steps_to_clean(clock: int, log2_window: int) -> int | None:
    """How many clock ticks from `clock` until the clean (1 .. 2^64), or None if it never comes."""
    if log2_window >= 64:
        return None
    return ((1 << log2_window) - clock - 1) % (1 << 64) + 1


def tick(cpu: Cpu, n: int) -> int:
    """clock += n, stopping at (and performing) the clean; returns the ticks done (<= n)."""
    clock = cpu.field(SHADOW_CLOCK)
    remaining = steps_to_clean(clock, cpu.field(SHADOW_LOG2_WINDOW))
    if remaining is not None and remaining <= n:
        cpu.access.clean()
        return remaining
    cpu.set_field(SHADOW_CLOCK, (clock + n) & MASK64)
    return n


def step(access: StateAccess) -> None:
    """One step of the machine: execute if RUNNING, tick the clock, clean at the end of the window."""
    cpu = Cpu(access)
    if cpu.field(SHADOW_STATUS) == STATUS_RUNNING:
        execute(cpu)
    tick(cpu, 1)


def idle(access: StateAccess, n: int) -> int:
    """Fast-forward up to n steps of a machine that is not RUNNING in O(1); returns the steps done.

    Equal to n single steps (or fewer: it stops right after the clean, whose machine runs again).
    A RUNNING machine does not idle: 0 steps.
    """
    cpu = Cpu(access)
    if n <= 0 or cpu.field(SHADOW_STATUS) == STATUS_RUNNING:
        return 0
    return tick(cpu, n)
