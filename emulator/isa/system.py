"""SYSTEM and MISC-MEM: ECALL (yield, debug write, abort, preimage read), EBREAK, FENCE/FENCE.I as no-ops."""

from __future__ import annotations

from collections.abc import Callable

from emulator.isa.core import OPCODE_MISC_MEM, OPCODE_SYSTEM, Cpu, Trap, instruction
from emulator.layout import (
    CAUSE_ABORT,
    CAUSE_BREAKPOINT,
    CAUSE_ECALL,
    ECALL_ABORT,
    ECALL_PREIMAGE,
    ECALL_WRITE,
    ECALL_YIELD,
    SHADOW_STATUS,
    STATUS_YIELDED,
)
from emulator.oracle import KEY_BYTES, part_length

A0, A1, A2, A3, A7 = 10, 11, 12, 13, 17
ECALL_WORD, EBREAK_WORD = 0x0000_0073, 0x0010_0073


def host_call(number: int, a0: Callable[[], int]) -> int:
    """What ECALL does with a7 = number (spec §2.4): yield, write or preimage read; abort and unknown trap.

    a0 is read only for an abort, so that a yield or write touches no more of the state than a7.
    """
    if number in (ECALL_YIELD, ECALL_WRITE, ECALL_PREIMAGE):
        return number
    if number == ECALL_ABORT:
        raise Trap(CAUSE_ABORT, a0())
    raise Trap(CAUSE_ECALL, number)


def preimage_read(cpu: Cpu) -> None:
    """ECALL 1001 (spec §2.4): write preimage(key at a0)[a1 : a1 + n] at a2; a0 = n, a1 = length.

    Order: the registers a0..a3, the 32-byte key (load fault, tval = a0), the oracle (a missing key
    is a host error: nothing is written), then the n bytes (store fault, tval = a2), then a0 and a1.
    n never lets the write leave a2's 32-byte leaf, so a step touches at most three data leaves.
    """
    key_addr, offset, dst, want = cpu.x(A0), cpu.x(A1), cpu.x(A2), cpu.x(A3)
    key = cpu.load_bytes(key_addr, KEY_BYTES)
    data = cpu.access.preimage(key)
    n = part_length(offset, dst, want, len(data))
    if n > 0:
        cpu.store_bytes(dst, data[offset : offset + n])
    cpu.set_x(A0, n)
    cpu.set_x(A1, len(data))


@instruction(OPCODE_SYSTEM, ECALL_WORD)
def ecall(cpu: Cpu, word: int, pc: int) -> int:
    """000000000000 00000 000 00000 1110011: host call number a7 (spec §2.4)."""
    number = host_call(cpu.x(A7), lambda: cpu.x(A0))
    if number == ECALL_YIELD:
        cpu.set_field(SHADOW_STATUS, STATUS_YIELDED)
        return pc
    if number == ECALL_PREIMAGE:
        preimage_read(cpu)
        return pc + 4
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
