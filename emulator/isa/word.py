"""RV64I word (W) instructions: 32-bit operations whose result is sign-extended to 64 bits."""

from __future__ import annotations

from emulator.isa.core import MASK32, OPCODE_OP_32, OPCODE_OP_IMM_32, alu, sext, signed


# --- OP-IMM-32 (b = sext(imm), or the shift amount) ------------------------------------------------
@alu(OPCODE_OP_IMM_32, 0b000)
def addiw(a: int, b: int) -> int:
    """imm[11:0] rs1 000 rd 0011011: rd = sext32(rs1 + sext(imm))."""
    return sext(a + b, 32)


@alu(OPCODE_OP_IMM_32, 0b001, 0b0000000)
def slliw(a: int, b: int) -> int:
    """0000000 shamt[4:0] rs1 001 rd 0011011: rd = sext32(rs1 << shamt)."""
    return sext((a & MASK32) << (b & 31), 32)


@alu(OPCODE_OP_IMM_32, 0b101, 0b0000000)
def srliw(a: int, b: int) -> int:
    """0000000 shamt[4:0] rs1 101 rd 0011011: rd = sext32(rs1[31:0] >> shamt)."""
    return sext((a & MASK32) >> (b & 31), 32)


@alu(OPCODE_OP_IMM_32, 0b101, 0b0100000)
def sraiw(a: int, b: int) -> int:
    """0100000 shamt[4:0] rs1 101 rd 0011011: rd = sext32(signed(rs1[31:0]) >> shamt)."""
    return sext(signed(sext(a, 32)) >> (b & 31), 32)


# --- OP-32 -----------------------------------------------------------------------------------------
@alu(OPCODE_OP_32, 0b000, 0b0000000)
def addw(a: int, b: int) -> int:
    """0000000 rs2 rs1 000 rd 0111011: rd = sext32(rs1 + rs2)."""
    return sext(a + b, 32)


@alu(OPCODE_OP_32, 0b000, 0b0100000)
def subw(a: int, b: int) -> int:
    """0100000 rs2 rs1 000 rd 0111011: rd = sext32(rs1 - rs2)."""
    return sext(a - b, 32)


@alu(OPCODE_OP_32, 0b001, 0b0000000)
def sllw(a: int, b: int) -> int:
    """0000000 rs2 rs1 001 rd 0111011: rd = sext32(rs1 << rs2[4:0])."""
    return sext((a & MASK32) << (b & 31), 32)


@alu(OPCODE_OP_32, 0b101, 0b0000000)
def srlw(a: int, b: int) -> int:
    """0000000 rs2 rs1 101 rd 0111011: rd = sext32(rs1[31:0] >> rs2[4:0])."""
    return sext((a & MASK32) >> (b & 31), 32)


@alu(OPCODE_OP_32, 0b101, 0b0100000)
def sraw(a: int, b: int) -> int:
    """0100000 rs2 rs1 101 rd 0111011: rd = sext32(signed(rs1[31:0]) >> rs2[4:0])."""
    return sext(signed(sext(a, 32)) >> (b & 31), 32)
