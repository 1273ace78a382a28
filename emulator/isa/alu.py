"""RV64I integer ALU instructions: OP (register-register), OP-IMM (register-immediate), LUI, AUIPC.

Each is written as its operation on two u64 operands; the format's rule (core.alu_semantics)
supplies them: rs1 and rs2 (R), rs1 and the immediate or shift amount (I), pc and imm_u (U).
"""

from __future__ import annotations

from emulator.isa.core import (
    MASK64,
    OPCODE_AUIPC,
    OPCODE_LUI,
    OPCODE_OP,
    OPCODE_OP_IMM,
    add64,
    alu,
    signed,
)


# --- OP: funct7 rs2 rs1 funct3 rd 0110011 ------------------------------------------------------------
@alu(OPCODE_OP, 0b000, 0b0000000)
def add(a: int, b: int) -> int:
    """0000000 rs2 rs1 000 rd 0110011: rd = rs1 + rs2."""
    return add64(a, b)


@alu(OPCODE_OP, 0b000, 0b0100000)
def sub(a: int, b: int) -> int:
    """0100000 rs2 rs1 000 rd 0110011: rd = rs1 - rs2."""
    return (a - b) & MASK64


@alu(OPCODE_OP, 0b001, 0b0000000)
def sll(a: int, b: int) -> int:
    """0000000 rs2 rs1 001 rd 0110011: rd = rs1 << rs2[5:0]."""
    return (a << (b & 63)) & MASK64


@alu(OPCODE_OP, 0b010, 0b0000000)
def slt(a: int, b: int) -> int:
    """0000000 rs2 rs1 010 rd 0110011: rd = signed(rs1) < signed(rs2)."""
    return int(signed(a) < signed(b))


@alu(OPCODE_OP, 0b011, 0b0000000)
def sltu(a: int, b: int) -> int:
    """0000000 rs2 rs1 011 rd 0110011: rd = rs1 < rs2 (unsigned)."""
    return int(a < b)


@alu(OPCODE_OP, 0b100, 0b0000000)
def xor(a: int, b: int) -> int:
    """0000000 rs2 rs1 100 rd 0110011: rd = rs1 ^ rs2."""
    return a ^ b


@alu(OPCODE_OP, 0b101, 0b0000000)
def srl(a: int, b: int) -> int:
    """0000000 rs2 rs1 101 rd 0110011: rd = rs1 >> rs2[5:0] (logical)."""
    return a >> (b & 63)


@alu(OPCODE_OP, 0b101, 0b0100000)
def sra(a: int, b: int) -> int:
    """0100000 rs2 rs1 101 rd 0110011: rd = rs1 >> rs2[5:0] (arithmetic)."""
    return (signed(a) >> (b & 63)) & MASK64


@alu(OPCODE_OP, 0b110, 0b0000000)
def or_(a: int, b: int) -> int:
    """0000000 rs2 rs1 110 rd 0110011: rd = rs1 | rs2 (OR)."""
    return a | b


@alu(OPCODE_OP, 0b111, 0b0000000)
def and_(a: int, b: int) -> int:
    """0000000 rs2 rs1 111 rd 0110011: rd = rs1 & rs2 (AND)."""
    return a & b


# --- OP-IMM: imm[11:0] rs1 funct3 rd 0010011 (b = sext(imm)) ---------------------------------------
@alu(OPCODE_OP_IMM, 0b000)
def addi(a: int, b: int) -> int:
    """imm[11:0] rs1 000 rd 0010011: rd = rs1 + sext(imm)."""
    return add64(a, b)


@alu(OPCODE_OP_IMM, 0b010)
def slti(a: int, b: int) -> int:
    """imm[11:0] rs1 010 rd 0010011: rd = signed(rs1) < signed(sext(imm))."""
    return int(signed(a) < signed(b))


@alu(OPCODE_OP_IMM, 0b011)
def sltiu(a: int, b: int) -> int:
    """imm[11:0] rs1 011 rd 0010011: rd = rs1 < sext(imm) (unsigned)."""
    return int(a < b)


@alu(OPCODE_OP_IMM, 0b100)
def xori(a: int, b: int) -> int:
    """imm[11:0] rs1 100 rd 0010011: rd = rs1 ^ sext(imm)."""
    return a ^ b


@alu(OPCODE_OP_IMM, 0b110)
def ori(a: int, b: int) -> int:
    """imm[11:0] rs1 110 rd 0010011: rd = rs1 | sext(imm)."""
    return a | b


@alu(OPCODE_OP_IMM, 0b111)
def andi(a: int, b: int) -> int:
    """imm[11:0] rs1 111 rd 0010011: rd = rs1 & sext(imm)."""
    return a & b


# --- OP-IMM shifts: imm[11:6] shamt[5:0] rs1 funct3 rd 0010011 (b = shamt) ------------------------
@alu(OPCODE_OP_IMM, 0b001, 0b000000)
def slli(a: int, b: int) -> int:
    """000000 shamt[5:0] rs1 001 rd 0010011: rd = rs1 << shamt."""
    return (a << (b & 63)) & MASK64


@alu(OPCODE_OP_IMM, 0b101, 0b000000)
def srli(a: int, b: int) -> int:
    """000000 shamt[5:0] rs1 101 rd 0010011: rd = rs1 >> shamt (logical)."""
    return a >> (b & 63)


@alu(OPCODE_OP_IMM, 0b101, 0b010000)
def srai(a: int, b: int) -> int:
    """010000 shamt[5:0] rs1 101 rd 0010011: rd = rs1 >> shamt (arithmetic)."""
    return (signed(a) >> (b & 63)) & MASK64


# --- U-type: imm[31:12] rd opcode (a = pc, b = sext(imm << 12)) -----------------------------------
@alu(OPCODE_LUI)
def lui(a: int, b: int) -> int:
    """imm[31:12] rd 0110111: rd = sext(imm << 12)."""
    return b


@alu(OPCODE_AUIPC)
def auipc(a: int, b: int) -> int:
    """imm[31:12] rd 0010111: rd = pc + sext(imm << 12)."""
    return add64(a, b)
