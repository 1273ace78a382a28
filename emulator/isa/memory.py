"""RV64I loads and stores: little-endian, misaligned allowed, every byte inside an allowed region."""

from __future__ import annotations

from emulator.isa.core import (
    OPCODE_LOAD,
    OPCODE_STORE,
    Cpu,
    add64,
    imm_i,
    imm_s,
    instruction,
    rd,
    rs1,
    rs2,
    sext,
)


def load(cpu: Cpu, word: int, n: int, signed: bool) -> None:
    """rd = the n bytes at rs1 + imm, sign- or zero-extended (faults before writing rd)."""
    value = cpu.load(add64(cpu.x(rs1(word)), imm_i(word)), n)
    cpu.set_x(rd(word), sext(value, 8 * n) if signed else value)


def store(cpu: Cpu, word: int, n: int) -> None:
    """The low n bytes of rs2 go to rs1 + imm."""
    cpu.store(add64(cpu.x(rs1(word)), imm_s(word)), n, cpu.x(rs2(word)))


# --- LOAD: imm[11:0] rs1 funct3 rd 0000011 -----------------------------------------------------------
@instruction(OPCODE_LOAD, 0b000)
def lb(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 000 rd 0000011: rd = sext(mem8[rs1 + imm])."""
    load(cpu, word, 1, signed=True)
    return pc + 4


@instruction(OPCODE_LOAD, 0b001)
def lh(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 001 rd 0000011: rd = sext(mem16[rs1 + imm])."""
    load(cpu, word, 2, signed=True)
    return pc + 4


@instruction(OPCODE_LOAD, 0b010)
def lw(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 010 rd 0000011: rd = sext(mem32[rs1 + imm])."""
    load(cpu, word, 4, signed=True)
    return pc + 4


@instruction(OPCODE_LOAD, 0b011)
def ld(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 011 rd 0000011: rd = mem64[rs1 + imm]."""
    load(cpu, word, 8, signed=False)
    return pc + 4


@instruction(OPCODE_LOAD, 0b100)
def lbu(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 100 rd 0000011: rd = zext(mem8[rs1 + imm])."""
    load(cpu, word, 1, signed=False)
    return pc + 4


@instruction(OPCODE_LOAD, 0b101)
def lhu(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 101 rd 0000011: rd = zext(mem16[rs1 + imm])."""
    load(cpu, word, 2, signed=False)
    return pc + 4


@instruction(OPCODE_LOAD, 0b110)
def lwu(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:0] rs1 110 rd 0000011: rd = zext(mem32[rs1 + imm])."""
    load(cpu, word, 4, signed=False)
    return pc + 4


# --- STORE: imm[11:5] rs2 rs1 funct3 imm[4:0] 0100011 ------------------------------------------------
@instruction(OPCODE_STORE, 0b000)
def sb(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:5] rs2 rs1 000 imm[4:0] 0100011: mem8[rs1 + imm] = rs2[7:0]."""
    store(cpu, word, 1)
    return pc + 4


@instruction(OPCODE_STORE, 0b001)
def sh(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:5] rs2 rs1 001 imm[4:0] 0100011: mem16[rs1 + imm] = rs2[15:0]."""
    store(cpu, word, 2)
    return pc + 4


@instruction(OPCODE_STORE, 0b010)
def sw(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:5] rs2 rs1 010 imm[4:0] 0100011: mem32[rs1 + imm] = rs2[31:0]."""
    store(cpu, word, 4)
    return pc + 4


@instruction(OPCODE_STORE, 0b011)
def sd(cpu: Cpu, word: int, pc: int) -> int:
    """imm[11:5] rs2 rs1 011 imm[4:0] 0100011: mem64[rs1 + imm] = rs2."""
    store(cpu, word, 8)
    return pc + 4
