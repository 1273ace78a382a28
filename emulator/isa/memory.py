"""RV64I loads and stores: little-endian, misaligned allowed, every byte inside an allowed region."""

from __future__ import annotations

from emulator.isa.core import (
    FORMAT_OFFSET,
    FORMAT_S,
    OPCODE_LOAD,
    OPCODE_STORE,
    Cpu,
    Instruction,
    Semantics,
    add64,
    add_instruction,
    imm_i,
    imm_s,
    rd,
    rs1,
    rs2,
    sext,
)

# LOAD: imm[11:0] rs1 funct3 rd 0000011: rd = the n bytes at rs1 + sext(imm), sign- or zero-extended.
LOADS = {  # mnemonic -> (funct3, bytes, sign-extended)
    "lb": (0b000, 1, True), "lh": (0b001, 2, True), "lw": (0b010, 4, True), "ld": (0b011, 8, False),
    "lbu": (0b100, 1, False), "lhu": (0b101, 2, False), "lwu": (0b110, 4, False),
}
# STORE: imm[11:5] rs2 rs1 funct3 imm[4:0] 0100011: the low n bytes of rs2 go to rs1 + sext(imm).
STORES = {"sb": (0b000, 1), "sh": (0b001, 2), "sw": (0b010, 4), "sd": (0b011, 8)}


def load_semantics(name: str, n: int, signed: bool) -> Semantics:
    """rd = the n bytes at rs1 + imm, sign- or zero-extended (faults before writing rd)."""
    def load(cpu: Cpu, word: int, pc: int) -> int:
        """A load of n bytes."""
        value = cpu.load(add64(cpu.x(rs1(word)), imm_i(word)), n)
        cpu.set_x(rd(word), sext(value, 8 * n) if signed else value)
        return pc + 4
    load.__name__ = load.__qualname__ = name
    return load


def store_semantics(name: str, n: int) -> Semantics:
    """The low n bytes of rs2 go to rs1 + imm."""
    def store(cpu: Cpu, word: int, pc: int) -> int:
        """A store of n bytes."""
        cpu.store(add64(cpu.x(rs1(word)), imm_s(word)), n, cpu.x(rs2(word)))
        return pc + 4
    store.__name__ = store.__qualname__ = name
    return store


for _name, (_funct3, _n, _sx) in LOADS.items():
    _load = load_semantics(_name, _n, _sx)
    add_instruction(Instruction(_name, (OPCODE_LOAD, _funct3), FORMAT_OFFSET, _load, width=_n, signed=_sx))
for _name, (_funct3, _n) in STORES.items():
    _store = store_semantics(_name, _n)
    add_instruction(Instruction(_name, (OPCODE_STORE, _funct3), FORMAT_S, _store, width=_n))
