"""The M extension: multiplication, division and remainder, 64-bit and word forms.

Division never traps: x/0 = all ones, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0 (the RISC-V rules).
"""

from __future__ import annotations

from emulator.isa.core import (
    MASK64,
    OPCODE_OP,
    OPCODE_OP_32,
    alu,
    div_signed,
    div_unsigned,
    rem_signed,
    rem_unsigned,
    sext,
    signed,
)

MULDIV = 0b0000001


@alu(OPCODE_OP, 0b000, MULDIV)
def mul(a: int, b: int) -> int:
    """0000001 rs2 rs1 000 rd 0110011: rd = (rs1 * rs2)[63:0]."""
    return (a * b) & MASK64


@alu(OPCODE_OP, 0b001, MULDIV)
def mulh(a: int, b: int) -> int:
    """0000001 rs2 rs1 001 rd 0110011: MULH, rd = (signed * signed)[127:64]."""
    return ((signed(a) * signed(b)) >> 64) & MASK64


@alu(OPCODE_OP, 0b010, MULDIV)
def mulhsu(a: int, b: int) -> int:
    """0000001 rs2 rs1 010 rd 0110011: MULHSU, rd = (signed * unsigned)[127:64]."""
    return ((signed(a) * b) >> 64) & MASK64


@alu(OPCODE_OP, 0b011, MULDIV)
def mulhu(a: int, b: int) -> int:
    """0000001 rs2 rs1 011 rd 0110011: MULHU, rd = (unsigned * unsigned)[127:64]."""
    return (a * b) >> 64


@alu(OPCODE_OP, 0b100, MULDIV)
def div(a: int, b: int) -> int:
    """0000001 rs2 rs1 100 rd 0110011: rd = signed(rs1) / signed(rs2), toward zero."""
    return div_signed(a, b, 64)


@alu(OPCODE_OP, 0b101, MULDIV)
def divu(a: int, b: int) -> int:
    """0000001 rs2 rs1 101 rd 0110011: rd = rs1 / rs2 (unsigned)."""
    return div_unsigned(a, b, 64)


@alu(OPCODE_OP, 0b110, MULDIV)
def rem(a: int, b: int) -> int:
    """0000001 rs2 rs1 110 rd 0110011: rd = signed(rs1) % signed(rs2), sign of the dividend."""
    return rem_signed(a, b, 64)


@alu(OPCODE_OP, 0b111, MULDIV)
def remu(a: int, b: int) -> int:
    """0000001 rs2 rs1 111 rd 0110011: rd = rs1 % rs2 (unsigned)."""
    return rem_unsigned(a, b, 64)


@alu(OPCODE_OP_32, 0b000, MULDIV)
def mulw(a: int, b: int) -> int:
    """0000001 rs2 rs1 000 rd 0111011: rd = sext32(rs1 * rs2)."""
    return sext(a * b, 32)


@alu(OPCODE_OP_32, 0b100, MULDIV)
def divw(a: int, b: int) -> int:
    """0000001 rs2 rs1 100 rd 0111011: rd = sext32(signed32(rs1) / signed32(rs2))."""
    return div_signed(a, b, 32)


@alu(OPCODE_OP_32, 0b101, MULDIV)
def divuw(a: int, b: int) -> int:
    """0000001 rs2 rs1 101 rd 0111011: rd = sext32(rs1[31:0] / rs2[31:0])."""
    return div_unsigned(a, b, 32)


@alu(OPCODE_OP_32, 0b110, MULDIV)
def remw(a: int, b: int) -> int:
    """0000001 rs2 rs1 110 rd 0111011: rd = sext32(signed32(rs1) % signed32(rs2))."""
    return rem_signed(a, b, 32)


@alu(OPCODE_OP_32, 0b111, MULDIV)
def remuw(a: int, b: int) -> int:
    """0000001 rs2 rs1 111 rd 0111011: rd = sext32(rs1[31:0] % rs2[31:0])."""
    return rem_unsigned(a, b, 32)
