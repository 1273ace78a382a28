"""RV64I control transfer: conditional branches, JAL, JALR. A taken target must be 4-aligned."""

from __future__ import annotations

from collections.abc import Callable

from emulator.isa.core import (
    OPCODE_BRANCH,
    OPCODE_JAL,
    OPCODE_JALR,
    Cpu,
    Trap,
    add64,
    imm_b,
    imm_i,
    imm_j,
    instruction,
    rd,
    rs1,
    rs2,
    signed,
)
from emulator.layout import CAUSE_MISALIGNED_TARGET


def jump_target(target: int) -> int:
    """A jump or taken-branch target; a misaligned one faults with tval = target."""
    if target % 4:
        raise Trap(CAUSE_MISALIGNED_TARGET, target)
    return target


def branch(cpu: Cpu, word: int, pc: int, taken: Callable[[int, int], bool]) -> int:
    """pc + sext(imm) if taken(rs1, rs2), else pc + 4."""
    if taken(cpu.x(rs1(word)), cpu.x(rs2(word))):
        return jump_target(add64(pc, imm_b(word)))
    return pc + 4


# --- BRANCH: imm[12|10:5] rs2 rs1 funct3 imm[4:1|11] 1100011 -----------------------------------------
@instruction(OPCODE_BRANCH, 0b000)
def beq(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 000 imm 1100011: branch if rs1 == rs2."""
    return branch(cpu, word, pc, lambda a, b: a == b)


@instruction(OPCODE_BRANCH, 0b001)
def bne(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 001 imm 1100011: branch if rs1 != rs2."""
    return branch(cpu, word, pc, lambda a, b: a != b)


@instruction(OPCODE_BRANCH, 0b100)
def blt(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 100 imm 1100011: branch if signed(rs1) < signed(rs2)."""
    return branch(cpu, word, pc, lambda a, b: signed(a) < signed(b))


@instruction(OPCODE_BRANCH, 0b101)
def bge(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 101 imm 1100011: branch if signed(rs1) >= signed(rs2)."""
    return branch(cpu, word, pc, lambda a, b: signed(a) >= signed(b))


@instruction(OPCODE_BRANCH, 0b110)
def bltu(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 110 imm 1100011: branch if rs1 < rs2 (unsigned)."""
    return branch(cpu, word, pc, lambda a, b: a < b)


@instruction(OPCODE_BRANCH, 0b111)
def bgeu(cpu: Cpu, word: int, pc: int) -> int:
    """imm rs2 rs1 111 imm 1100011: branch if rs1 >= rs2 (unsigned)."""
    return branch(cpu, word, pc, lambda a, b: a >= b)


# --- jumps -----------------------------------------------------------------------------------------
@instruction(OPCODE_JAL)
def jal(cpu: Cpu, word: int, pc: int) -> int:
    """imm[20|10:1|11|19:12] rd 1101111: rd = pc + 4; pc += sext(imm)."""
    target = jump_target(add64(pc, imm_j(word)))
    cpu.set_x(rd(word), pc + 4)
    return target


@instruction(OPCODE_JALR, 0b000)
def jalr(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 000 rd 1100111: rd = pc + 4; pc = (rs1 + sext(imm)) & ~1."""
    target = jump_target(add64(cpu.x(rs1(word)), imm_i(word)) & ~1)
    cpu.set_x(rd(word), pc + 4)
    return target
