"""A tiny RV64IM disassembler for one instruction word: what the disputed step executes, for people.

Mnemonics and operand formats come from the instruction table of machine AB (emulator.isa), so
the disassembler names exactly the words the step executes and calls the rest `.word`.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.isa import INSTRUCTIONS, lookup
from emulator.isa.core import (
    FORMAT_B,
    FORMAT_BARE,
    FORMAT_I,
    FORMAT_J,
    FORMAT_OFFSET,
    FORMAT_R,
    FORMAT_S,
    FORMAT_SHIFT,
    FORMAT_U,
    WRITES_RD,
    imm_b,
    imm_i,
    imm_j,
    imm_s,
    rd,
    rs1,
    rs2,
    shamt,
    signed,
)

ABI = (
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
)
# The operands of each format as text, from the word and its pc (targets are absolute).
OPERANDS: dict[str, Callable[[int, int], str]] = {
    FORMAT_R: lambda w, pc: f"{ABI[rd(w)]}, {ABI[rs1(w)]}, {ABI[rs2(w)]}",
    FORMAT_I: lambda w, pc: f"{ABI[rd(w)]}, {ABI[rs1(w)]}, {signed(imm_i(w))}",
    FORMAT_SHIFT: lambda w, pc: f"{ABI[rd(w)]}, {ABI[rs1(w)]}, {shamt(w)}",
    FORMAT_OFFSET: lambda w, pc: f"{ABI[rd(w)]}, {signed(imm_i(w))}({ABI[rs1(w)]})",
    FORMAT_S: lambda w, pc: f"{ABI[rs2(w)]}, {signed(imm_s(w))}({ABI[rs1(w)]})",
    FORMAT_B: lambda w, pc: f"{ABI[rs1(w)]}, {ABI[rs2(w)]}, {pc + signed(imm_b(w)):#x}",
    FORMAT_U: lambda w, pc: f"{ABI[rd(w)]}, {w >> 12:#x}",
    FORMAT_J: lambda w, pc: f"{ABI[rd(w)]}, {pc + signed(imm_j(w)):#x}",
}
# Opcodes whose instructions write rd (whatever the other fields say).
RD_OPCODES = frozenset(entry.key[0] for entry in INSTRUCTIONS.values() if entry.format in WRITES_RD)


def disassemble(word: int, pc: int = 0) -> str:
    """One instruction as assembly text (branch and jump targets absolute from pc); unknown words as .word."""
    entry = lookup(word)
    if entry is None:
        return f".word {word:#010x}"
    if entry.format == FORMAT_BARE:
        return entry.mnemonic
    return f"{entry.mnemonic} {OPERANDS[entry.format](word, pc)}"


def writes_rd(word: int) -> int:
    """The destination register an instruction writes (0 if none): used to plant a wrong result."""
    return rd(word) if word & 0x7F in RD_OPCODES else 0
