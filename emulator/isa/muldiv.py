"""The M extension: multiplication, division and remainder, 64-bit and word forms.

Division never traps: x/0 = all ones, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0 (the RISC-V rules).
"""

from __future__ import annotations

from emulator.isa.core import (
    OPCODE_OP,
    OPCODE_OP_32,
    Cpu,
    div_signed,
    div_unsigned,
    instruction,
    mul64,
    mulh,
    mulhsu,
    mulhu,
    rd,
    rem_signed,
    rem_unsigned,
    rs1,
    rs2,
    sext,
)

MULDIV = 0b0000001


@instruction(OPCODE_OP, 0b000, MULDIV)
def mul(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 000 rd 0110011: rd = (rs1 * rs2)[63:0]."""
    cpu.set_x(rd(word), mul64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b001, MULDIV)
def mulh_(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 001 rd 0110011: MULH, rd = (signed * signed)[127:64]."""
    cpu.set_x(rd(word), mulh(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b010, MULDIV)
def mulhsu_(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 010 rd 0110011: MULHSU, rd = (signed * unsigned)[127:64]."""
    cpu.set_x(rd(word), mulhsu(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b011, MULDIV)
def mulhu_(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 011 rd 0110011: MULHU, rd = (unsigned * unsigned)[127:64]."""
    cpu.set_x(rd(word), mulhu(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b100, MULDIV)
def div(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 100 rd 0110011: rd = signed(rs1) / signed(rs2), toward zero."""
    cpu.set_x(rd(word), div_signed(cpu.x(rs1(word)), cpu.x(rs2(word)), 64))
    return pc + 4


@instruction(OPCODE_OP, 0b101, MULDIV)
def divu(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 101 rd 0110011: rd = rs1 / rs2 (unsigned)."""
    cpu.set_x(rd(word), div_unsigned(cpu.x(rs1(word)), cpu.x(rs2(word)), 64))
    return pc + 4


@instruction(OPCODE_OP, 0b110, MULDIV)
def rem(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 110 rd 0110011: rd = signed(rs1) % signed(rs2), sign of the dividend."""
    cpu.set_x(rd(word), rem_signed(cpu.x(rs1(word)), cpu.x(rs2(word)), 64))
    return pc + 4


@instruction(OPCODE_OP, 0b111, MULDIV)
def remu(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 111 rd 0110011: rd = rs1 % rs2 (unsigned)."""
    cpu.set_x(rd(word), rem_unsigned(cpu.x(rs1(word)), cpu.x(rs2(word)), 64))
    return pc + 4


@instruction(OPCODE_OP_32, 0b000, MULDIV)
def mulw(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 000 rd 0111011: rd = sext32(rs1 * rs2)."""
    cpu.set_x(rd(word), sext(cpu.x(rs1(word)) * cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b100, MULDIV)
def divw(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 100 rd 0111011: rd = sext32(signed32(rs1) / signed32(rs2))."""
    cpu.set_x(rd(word), div_signed(cpu.x(rs1(word)), cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b101, MULDIV)
def divuw(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 101 rd 0111011: rd = sext32(rs1[31:0] / rs2[31:0])."""
    cpu.set_x(rd(word), div_unsigned(cpu.x(rs1(word)), cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b110, MULDIV)
def remw(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 110 rd 0111011: rd = sext32(signed32(rs1) % signed32(rs2))."""
    cpu.set_x(rd(word), rem_signed(cpu.x(rs1(word)), cpu.x(rs2(word)), 32))
    return pc + 4


@instruction(OPCODE_OP_32, 0b111, MULDIV)
def remuw(cpu: Cpu, word: int, pc: int) -> int:
    """0000001 rs2 rs1 111 rd 0111011: rd = sext32(rs1[31:0] % rs2[31:0])."""
    cpu.set_x(rd(word), rem_unsigned(cpu.x(rs1(word)), cpu.x(rs2(word)), 32))
    return pc + 4
