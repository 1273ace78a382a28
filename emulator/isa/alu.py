"""RV64I integer ALU instructions: OP (register-register), OP-IMM (register-immediate), LUI, AUIPC."""

from __future__ import annotations

from emulator.isa.core import (
    OPCODE_AUIPC,
    OPCODE_LUI,
    OPCODE_OP,
    OPCODE_OP_IMM,
    Cpu,
    add64,
    imm_i,
    imm_u,
    instruction,
    rd,
    rs1,
    rs2,
    signed,
    sll64,
    sra64,
    srl64,
    sub64,
)


# --- OP: funct7 rs2 rs1 funct3 rd 0110011 ------------------------------------------------------------
@instruction(OPCODE_OP, 0b000, 0b0000000)
def add(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 000 rd 0110011: rd = rs1 + rs2."""
    cpu.set_x(rd(word), add64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b000, 0b0100000)
def sub(cpu: Cpu, word: int, pc: int) -> int:
    """0100000 rs2 rs1 000 rd 0110011: rd = rs1 - rs2."""
    cpu.set_x(rd(word), sub64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b001, 0b0000000)
def sll(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 001 rd 0110011: rd = rs1 << rs2[5:0]."""
    cpu.set_x(rd(word), sll64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b010, 0b0000000)
def slt(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 010 rd 0110011: rd = signed(rs1) < signed(rs2)."""
    cpu.set_x(rd(word), int(signed(cpu.x(rs1(word))) < signed(cpu.x(rs2(word)))))
    return pc + 4


@instruction(OPCODE_OP, 0b011, 0b0000000)
def sltu(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 011 rd 0110011: rd = rs1 < rs2 (unsigned)."""
    cpu.set_x(rd(word), int(cpu.x(rs1(word)) < cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b100, 0b0000000)
def xor(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 100 rd 0110011: rd = rs1 ^ rs2."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) ^ cpu.x(rs2(word)))
    return pc + 4


@instruction(OPCODE_OP, 0b101, 0b0000000)
def srl(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 101 rd 0110011: rd = rs1 >> rs2[5:0] (logical)."""
    cpu.set_x(rd(word), srl64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b101, 0b0100000)
def sra(cpu: Cpu, word: int, pc: int) -> int:
    """0100000 rs2 rs1 101 rd 0110011: rd = rs1 >> rs2[5:0] (arithmetic)."""
    cpu.set_x(rd(word), sra64(cpu.x(rs1(word)), cpu.x(rs2(word))))
    return pc + 4


@instruction(OPCODE_OP, 0b110, 0b0000000)
def or_(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 110 rd 0110011: rd = rs1 | rs2 (OR)."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) | cpu.x(rs2(word)))
    return pc + 4


@instruction(OPCODE_OP, 0b111, 0b0000000)
def and_(cpu: Cpu, word: int, pc: int) -> int:
    """0000000 rs2 rs1 111 rd 0110011: rd = rs1 & rs2 (AND)."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) & cpu.x(rs2(word)))
    return pc + 4


# --- OP-IMM: imm[11:0] rs1 funct3 rd 0010011 ---------------------------------------------------------
@instruction(OPCODE_OP_IMM, 0b000)
def addi(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 000 rd 0010011: rd = rs1 + sext(imm)."""
    cpu.set_x(rd(word), add64(cpu.x(rs1(word)), imm_i(word)))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b010)
def slti(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 010 rd 0010011: rd = signed(rs1) < signed(sext(imm))."""
    cpu.set_x(rd(word), int(signed(cpu.x(rs1(word))) < signed(imm_i(word))))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b011)
def sltiu(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 011 rd 0010011: rd = rs1 < sext(imm) (unsigned)."""
    cpu.set_x(rd(word), int(cpu.x(rs1(word)) < imm_i(word)))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b100)
def xori(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 100 rd 0010011: rd = rs1 ^ sext(imm)."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) ^ imm_i(word))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b110)
def ori(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 110 rd 0010011: rd = rs1 | sext(imm)."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) | imm_i(word))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b111)
def andi(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 111 rd 0010011: rd = rs1 & sext(imm)."""
    cpu.set_x(rd(word), cpu.x(rs1(word)) & imm_i(word))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b001, 0b000000)
def slli(cpu: Cpu, word: int, pc: int) -> int:
    """000000 shamt[5:0] rs1 001 rd 0010011: rd = rs1 << shamt."""
    cpu.set_x(rd(word), sll64(cpu.x(rs1(word)), word >> 20))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b101, 0b000000)
def srli(cpu: Cpu, word: int, pc: int) -> int:
    """000000 shamt[5:0] rs1 101 rd 0010011: rd = rs1 >> shamt (logical)."""
    cpu.set_x(rd(word), srl64(cpu.x(rs1(word)), word >> 20))
    return pc + 4


@instruction(OPCODE_OP_IMM, 0b101, 0b010000)
def srai(cpu: Cpu, word: int, pc: int) -> int:
    """010000 shamt[5:0] rs1 101 rd 0010011: rd = rs1 >> shamt (arithmetic)."""
    cpu.set_x(rd(word), sra64(cpu.x(rs1(word)), word >> 20))
    return pc + 4


# --- U-type: imm[31:12] rd opcode ------------------------------------------------------------------
@instruction(OPCODE_LUI)
def lui(cpu: Cpu, word: int, pc: int) -> int:
    """imm[31:12] rd 0110111: rd = sext(imm << 12)."""
    cpu.set_x(rd(word), imm_u(word))
    return pc + 4


@instruction(OPCODE_AUIPC)
def auipc(cpu: Cpu, word: int, pc: int) -> int:
    """imm[31:12] rd 0010111: rd = pc + sext(imm << 12)."""
    cpu.set_x(rd(word), add64(pc, imm_u(word)))
    return pc + 4
