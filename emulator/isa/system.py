"""SYSTEM and MISC-MEM: ECALL (yield, debug write, abort), EBREAK, FENCE/FENCE.I as no-ops."""

from __future__ import annotations

from collections.abc import Callable

from emulator.isa.core import OPCODE_MISC_MEM, OPCODE_SYSTEM, Cpu, Trap, instruction
from emulator.layout import (
    CAUSE_ABORT,
    CAUSE_BREAKPOINT,
    CAUSE_ECALL,
    ECALL_ABORT,
    ECALL_WRITE,
    ECALL_YIELD,
    SHADOW_STATUS,
    STATUS_YIELDED,
)

A0, A7 = 10, 17
ECALL_WORD, EBREAK_WORD = 0x0000_0073, 0x0010_0073


def host_call(number: int, a0: Callable[[], int]) -> int:
    """What ECALL does with a7 = number (spec §2.4): ECALL_YIELD or ECALL_WRITE; abort and unknown trap.

    a0 is read only for an abort, so that a yield or write touches no more of the state than a7.
    """
    if number in (ECALL_YIELD, ECALL_WRITE):
        return number
    if number == ECALL_ABORT:
        raise Trap(CAUSE_ABORT, a0())
    raise Trap(CAUSE_ECALL, number)


@instruction(OPCODE_SYSTEM, ECALL_WORD)
def ecall(cpu: Cpu, word: int, pc: int) -> int:
    """000000000000 00000 000 00000 1110011: host call number a7 (spec §2.4)."""
    if host_call(cpu.x(A7), lambda: cpu.x(A0)) == ECALL_YIELD:
        cpu.set_field(SHADOW_STATUS, STATUS_YIELDED)
        return pc
    cpu.access.debug_write()
    return pc + 4


@instruction(OPCODE_SYSTEM, EBREAK_WORD)
def ebreak(cpu: Cpu, word: int, pc: int) -> int:
    """000000000001 00000 000 00000 1110011: breakpoint fault."""
    raise Trap(CAUSE_BREAKPOINT, pc)


@instruction(OPCODE_MISC_MEM, 0b000)
def fence(cpu: Cpu, word: int, pc: int) -> int:
    """fm pred succ rs1 000 rd 0001111: a no-op on one hart."""
    return pc + 4


@instruction(OPCODE_MISC_MEM, 0b001)
def fence_i(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs1 001 rd 0001111: a no-op (text is read-only)."""
    return pc + 4
