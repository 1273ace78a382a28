"""SYSTEM and MISC-MEM: ECALL (yield, debug write, abort), EBREAK, FENCE/FENCE.I as no-ops."""

from __future__ import annotations

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


@instruction(OPCODE_SYSTEM, 0x0000_0073)
def ecall(cpu: Cpu, word: int, pc: int) -> int:
    """000000000000 00000 000 00000 1110011: host call number a7 (spec §2.4)."""
    number = cpu.x(A7)
    if number == ECALL_YIELD:
        cpu.set_field(SHADOW_STATUS, STATUS_YIELDED)
        return pc
    if number == ECALL_WRITE:
        cpu.access.debug_write()
        return pc + 4
    if number == ECALL_ABORT:
        raise Trap(CAUSE_ABORT, cpu.x(A0))
    raise Trap(CAUSE_ECALL, number)


@instruction(OPCODE_SYSTEM, 0x0010_0073)
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
