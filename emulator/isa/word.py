"""RV64I word (W) instructions: 32-bit operations whose result is sign-extended to 64 bits."""

from __future__ import annotations

from emulator.isa.core import (
    MASK32,
    OPCODE_OP_32,
    OPCODE_OP_IMM_32,
    Cpu,
    imm_i,
    instruction,
    rd,
    rs1,
    rs2,
    sext,
    signed,
)


def sll32(a: int, shamt: int) -> int:
    """sext32(a[31:0] << shamt[4:0])."""
    return sext((a & MASK32) << (shamt & 31), 32)


def srl32(a: int, shamt: int) -> int:
    """sext32(a[31:0] >> shamt[4:0]) (logical)."""
    return sext((a & MASK32) >> (shamt & 31), 32)


def sra32(a: int, shamt: int) -> int:
    """sext32(signed(a[31:0]) >> shamt[4:0]) (arithmetic)."""
    return sext(signed(sext(a, 32)) >> (shamt & 31), 32)


# --- OP-IMM-32 -------------------------------------------------------------------------------------
@instruction(OPCODE_OP_IMM_32, 0b000)
def addiw(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 000 rd 0011011: rd = sext32(rs1 + sext(imm))."""
    cpu.set_x(rd(word), sext(cpu.x(rs1(word)) + imm_i(word), 32))
    return pc + 4


@instruction(OPCODE_OP_IMM_32, 0b001, 0b0000000)
def slliw(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 shamt[4:0] rs1 001 rd 0011011: rd = sext32(rs1 << shamt)."""
    cpu.set_x(rd(word), sll32(cpu.x(rs1(word)), rs2(word)))
    return pc + 4


@instruction(OPCODE_OP_IMM_32, 0b101, 0b0000000)
def srliw(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 shamt[4:0] rs1 101 rd 0011011: rd = sext32(rs1[31:0] >> shamt)."""
    cpu.set_x(rd(word), srl32(cpu.x(rs1(word)), rs2(word)))
    return pc + 4


@instruction(OPCODE_OP_IMM_32, 0b101, 0b0100000)
def sraiw(cpu: Cpu, word: int, pc: int) -> int:
    """0100000 shamt[4:0] rs1 101 rd 0011011: rd = sext32(signed(rs1[31:0]) >> shamt)."""
    cpu.set_x(rd(word), sra32(cpu.x(rs1(word)), rs2(word)))
    return pc + 4


# --- OP-32 -----------------------------------------------------------------------------------------
@instruction(OPCODE_OP_32, 0b000, 0b0000000)
def addw(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 000 rd 0111011: rd = sext32(rs1 + rs2)."""
    cpu.set_x(rd(word), sext(cpu.x(rs1(word)) + cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b000, 0b0100000)
def subw(cpu: Cpu, word: int, pc: int) -> int:
    """0100000 rs2 rs1 000 rd 0111011: rd = sext32(rs1 - rs2)."""
    cpu.set_x(rd(word), sext(cpu.x(rs1(word)) - cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b001, 0b0000000)
def sllw(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 001 rd 0111011: rd = sext32(rs1 << rs2[4:0])."""
    cpu.set_x(rd(word), sll32(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP_32, 0b101, 0b0000000)
def srlw(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 101 rd 0111011: rd = sext32(rs1[31:0] >> rs2[4:0])."""
    cpu.set_x(rd(word), srl32(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP_32, 0b101, 0b0100000)
def sraw(cpu: Cpu, word: int, pc: int) -> int:
    """0100000 rs2 rs1 101 rd 0111011: rd = sext32(signed(rs1[31:0]) >> rs2[4:0])."""
    cpu.set_x(rd(word), sra32(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4
