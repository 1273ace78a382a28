"""RV64I control transfer: conditional branches, JAL, JALR. A taken target must be 4-aligned."""

from __future__ import annotations

from collections.abc import Callable

from emulator.isa.core import (
    FORMAT_B,
    OPCODE_BRANCH,
    OPCODE_JAL,
    OPCODE_JALR,
    Cpu,
    Instruction,
    Trap,
    add64,
    add_instruction,
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


def branch(*key: int) -> Callable[[Callable[[int, int], bool]], Callable[[int, int], bool]]:
    """Register a conditional branch by its condition on (rs1, rs2): pc + sext(imm) if taken, else pc + 4."""
    def register(taken: Callable[[int, int], bool]) -> Callable[[int, int], bool]:
        """Add the branch built from taken to the table."""
        def semantics(cpu: Cpu, word: int, pc: int) -> int:
            """Branch to pc + imm_b if taken(rs1, rs2)."""
            if taken(cpu.x(rs1(word)), cpu.x(rs2(word))):
                return jump_target(add64(pc, imm_b(word)))
            return pc + 4
        semantics.__name__ = semantics.__qualname__ = taken.__name__
        semantics.__doc__ = taken.__doc__
        add_instruction(Instruction(taken.__name__, key, FORMAT_B, semantics, taken))
        return taken
    return register


# --- BRANCH: imm[12|10:5] rs2 rs1 funct3 imm[4:1|11] 1100011 -----------------------------------------
@branch(OPCODE_BRANCH, 0b000)
def beq(a: int, b: int) -> bool:
    """imm rs2 rs1 000 imm 1100011: branch if rs1 == rs2."""
    return a == b


@branch(OPCODE_BRANCH, 0b001)
def bne(a: int, b: int) -> bool:
    """imm rs2 rs1 001 imm 1100011: branch if rs1 != rs2."""
    return a != b


@branch(OPCODE_BRANCH, 0b100)
def blt(a: int, b: int) -> bool:
    """imm rs2 rs1 100 imm 1100011: branch if signed(rs1) < signed(rs2)."""
    return signed(a) < signed(b)


@branch(OPCODE_BRANCH, 0b101)
def bge(a: int, b: int) -> bool:
    """imm rs2 rs1 101 imm 1100011: branch if signed(rs1) >= signed(rs2)."""
    return signed(a) >= signed(b)


@branch(OPCODE_BRANCH, 0b110)
def bltu(a: int, b: int) -> bool:
    """imm rs2 rs1 110 imm 1100011: branch if rs1 < rs2 (unsigned)."""
    return a < b


@branch(OPCODE_BRANCH, 0b111)
def bgeu(a: int, b: int) -> bool:
    """imm rs2 rs1 111 imm 1100011: branch if rs1 >= rs2 (unsigned)."""
    return a >= b


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
