"""A tiny RV64IM disassembler for one instruction word: what the disputed step executes, for people."""

from __future__ import annotations

ABI = (
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
)
LOADS = {0: "lb", 1: "lh", 2: "lw", 3: "ld", 4: "lbu", 5: "lhu", 6: "lwu"}
STORES = {0: "sb", 1: "sh", 2: "sw", 3: "sd"}
BRANCHES = {0: "beq", 1: "bne", 4: "blt", 5: "bge", 6: "bltu", 7: "bgeu"}
OP_IMM = {0: "addi", 2: "slti", 3: "sltiu", 4: "xori", 6: "ori", 7: "andi"}
OP = {
    (0, 0): "add", (0, 0x20): "sub", (1, 0): "sll", (2, 0): "slt", (3, 0): "sltu", (4, 0): "xor",
    (5, 0): "srl", (5, 0x20): "sra", (6, 0): "or", (7, 0): "and",
    (0, 1): "mul", (1, 1): "mulh", (2, 1): "mulhsu", (3, 1): "mulhu", (4, 1): "div", (5, 1): "divu",
    (6, 1): "rem", (7, 1): "remu",
}
OP_32 = {
    (0, 0): "addw", (0, 0x20): "subw", (1, 0): "sllw", (5, 0): "srlw", (5, 0x20): "sraw",
    (0, 1): "mulw", (4, 1): "divw", (5, 1): "divuw", (6, 1): "remw", (7, 1): "remuw",
}


def _sext(value: int, bits: int) -> int:
    """Sign-extend the low `bits` bits."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _fields(word: int) -> tuple[str, str, str, int, int]:
    """rd, rs1, rs2 (ABI names), funct3, funct7."""
    return ABI[(word >> 7) & 31], ABI[(word >> 15) & 31], ABI[(word >> 20) & 31], (word >> 12) & 7, word >> 25


def _imm_i(word: int) -> int:
    """The I-type immediate."""
    return _sext(word >> 20, 12)


def _imm_s(word: int) -> int:
    """The S-type immediate."""
    return _sext(((word >> 25) << 5) | ((word >> 7) & 31), 12)


def _imm_b(word: int) -> int:
    """The B-type immediate."""
    bits = ((word >> 31) << 12) | (((word >> 7) & 1) << 11)
    bits |= (((word >> 25) & 63) << 5) | (((word >> 8) & 15) << 1)
    return _sext(bits, 13)


def _imm_j(word: int) -> int:
    """The J-type immediate."""
    bits = ((word >> 31) << 20) | (((word >> 12) & 255) << 12)
    bits |= (((word >> 20) & 1) << 11) | (((word >> 21) & 1023) << 1)
    return _sext(bits, 21)


def _shift_imm(word: int, funct3: int, wide: bool) -> str | None:
    """slli/srli/srai (and their W forms): the shift amount and variant from the upper bits."""
    rd, rs1, _, _, _ = _fields(word)
    shamt = (word >> 20) & (31 if wide else 63)
    upper = word >> (25 if wide else 26)
    suffix = "w" if wide else ""
    if funct3 == 1 and upper == 0:
        return f"slli{suffix} {rd}, {rs1}, {shamt}"
    if funct3 == 5 and upper in (0, 0x10 if not wide else 0x20):
        return f"{'srai' if upper else 'srli'}{suffix} {rd}, {rs1}, {shamt}"
    return None


def disassemble(word: int, pc: int = 0) -> str:
    """One instruction as assembly text (branch and jump targets absolute from pc); unknown words as .word."""
    rd, rs1, rs2, funct3, funct7 = _fields(word)
    opcode = word & 0x7F
    text: str | None = None
    if opcode == 0x37:
        text = f"lui {rd}, {word >> 12:#x}"
    elif opcode == 0x17:
        text = f"auipc {rd}, {word >> 12:#x}"
    elif opcode == 0x6F:
        text = f"jal {rd}, {pc + _imm_j(word):#x}"
    elif opcode == 0x67 and funct3 == 0:
        text = f"jalr {rd}, {_imm_i(word)}({rs1})"
    elif opcode == 0x63 and funct3 in BRANCHES:
        text = f"{BRANCHES[funct3]} {rs1}, {rs2}, {pc + _imm_b(word):#x}"
    elif opcode == 0x03 and funct3 in LOADS:
        text = f"{LOADS[funct3]} {rd}, {_imm_i(word)}({rs1})"
    elif opcode == 0x23 and funct3 in STORES:
        text = f"{STORES[funct3]} {rs2}, {_imm_s(word)}({rs1})"
    elif opcode == 0x13:
        imm = _imm_i(word)
        text = f"{OP_IMM[funct3]} {rd}, {rs1}, {imm}" if funct3 in OP_IMM else _shift_imm(word, funct3, False)
    elif opcode == 0x1B:
        text = f"addiw {rd}, {rs1}, {_imm_i(word)}" if funct3 == 0 else _shift_imm(word, funct3, True)
    elif opcode == 0x33 and (funct3, funct7) in OP:
        text = f"{OP[funct3, funct7]} {rd}, {rs1}, {rs2}"
    elif opcode == 0x3B and (funct3, funct7) in OP_32:
        text = f"{OP_32[funct3, funct7]} {rd}, {rs1}, {rs2}"
    elif opcode == 0x0F and funct3 in (0, 1):
        text = "fence" if funct3 == 0 else "fence.i"
    elif word == 0x00000073:
        text = "ecall"
    elif word == 0x00100073:
        text = "ebreak"
    return text if text is not None else f".word {word:#010x}"


def writes_rd(word: int) -> int:
    """The destination register an instruction writes (0 if none): used to plant a wrong result."""
    opcode = word & 0x7F
    return (word >> 7) & 31 if opcode in (0x37, 0x17, 0x6F, 0x67, 0x03, 0x13, 0x1B, 0x33, 0x3B) else 0
