"""A tiny RV64IM encoder for tests: one function per instruction, returning the 32-bit word."""

from __future__ import annotations

from collections.abc import Iterable

OP, OP_IMM, OP_32, OP_IMM_32 = 0b0110011, 0b0010011, 0b0111011, 0b0011011
LOAD, STORE, BRANCH = 0b0000011, 0b0100011, 0b1100011
LUI, AUIPC, JAL, JALR = 0b0110111, 0b0010111, 0b1101111, 0b1100111
SYSTEM, MISC_MEM = 0b1110011, 0b0001111

ECALL = 0x0000_0073
EBREAK = 0x0010_0073
FENCE = 0x0FF0_000F
FENCE_I = 0x0000_100F


def r_type(opcode: int, f3: int, f7: int, rd: int, rs1: int, rs2: int) -> int:
    """funct7 rs2 rs1 funct3 rd opcode."""
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode


def i_type(opcode: int, f3: int, rd: int, rs1: int, imm: int) -> int:
    """imm[11:0] rs1 funct3 rd opcode."""
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode


def s_type(opcode: int, f3: int, rs1: int, rs2: int, imm: int) -> int:
    """imm[11:5] rs2 rs1 funct3 imm[4:0] opcode."""
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | opcode


def b_type(f3: int, rs1: int, rs2: int, offset: int) -> int:
    """imm[12|10:5] rs2 rs1 funct3 imm[4:1|11] 1100011."""
    imm = offset & 0x1FFF
    return (
        ((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3F) << 25 | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
        | ((imm >> 1) & 0xF) << 8 | ((imm >> 11) & 1) << 7 | BRANCH
    )


def u_type(opcode: int, rd: int, imm20: int) -> int:
    """imm[31:12] rd opcode."""
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | opcode


def j_type(rd: int, offset: int) -> int:
    """imm[20|10:1|11|19:12] rd 1101111."""
    imm = offset & 0x1FFFFF
    return (
        ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3FF) << 21 | ((imm >> 11) & 1) << 20
        | ((imm >> 12) & 0xFF) << 12 | (rd << 7) | JAL
    )


R_OPS = {  # name -> (opcode, funct3, funct7)
    "add": (OP, 0, 0), "sub": (OP, 0, 0x20), "sll": (OP, 1, 0), "slt": (OP, 2, 0), "sltu": (OP, 3, 0),
    "xor": (OP, 4, 0), "srl": (OP, 5, 0), "sra": (OP, 5, 0x20), "or": (OP, 6, 0), "and": (OP, 7, 0),
    "mul": (OP, 0, 1), "mulh": (OP, 1, 1), "mulhsu": (OP, 2, 1), "mulhu": (OP, 3, 1),
    "div": (OP, 4, 1), "divu": (OP, 5, 1), "rem": (OP, 6, 1), "remu": (OP, 7, 1),
    "addw": (OP_32, 0, 0), "subw": (OP_32, 0, 0x20), "sllw": (OP_32, 1, 0), "srlw": (OP_32, 5, 0),
    "sraw": (OP_32, 5, 0x20), "mulw": (OP_32, 0, 1), "divw": (OP_32, 4, 1), "divuw": (OP_32, 5, 1),
    "remw": (OP_32, 6, 1), "remuw": (OP_32, 7, 1),
}
I_OPS = {  # name -> (opcode, funct3)
    "addi": (OP_IMM, 0), "slti": (OP_IMM, 2), "sltiu": (OP_IMM, 3), "xori": (OP_IMM, 4),
    "ori": (OP_IMM, 6), "andi": (OP_IMM, 7), "addiw": (OP_IMM_32, 0), "jalr": (JALR, 0),
    "lb": (LOAD, 0), "lh": (LOAD, 1), "lw": (LOAD, 2), "ld": (LOAD, 3), "lbu": (LOAD, 4),
    "lhu": (LOAD, 5), "lwu": (LOAD, 6),
}
SHIFT_OPS = {  # name -> (opcode, funct3, high bits of imm, shamt width)
    "slli": (OP_IMM, 1, 0, 6), "srli": (OP_IMM, 5, 0, 6), "srai": (OP_IMM, 5, 0x400, 6),
    "slliw": (OP_IMM_32, 1, 0, 5), "srliw": (OP_IMM_32, 5, 0, 5), "sraiw": (OP_IMM_32, 5, 0x400, 5),
}
S_OPS = {"sb": 0, "sh": 1, "sw": 2, "sd": 3}
B_OPS = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}
LOADS = ("lb", "lh", "lw", "ld", "lbu", "lhu", "lwu")


def r(name: str, rd: int, rs1: int, rs2: int) -> int:
    """A register-register instruction by name."""
    opcode, f3, f7 = R_OPS[name]
    return r_type(opcode, f3, f7, rd, rs1, rs2)


def i(name: str, rd: int, rs1: int, imm: int) -> int:
    """A register-immediate instruction (or load, or JALR) by name."""
    opcode, f3 = I_OPS[name]
    return i_type(opcode, f3, rd, rs1, imm)


def shift(name: str, rd: int, rs1: int, shamt: int) -> int:
    """A shift-by-immediate by name (shamt masked to its field width)."""
    opcode, f3, high, width = SHIFT_OPS[name]
    return i_type(opcode, f3, rd, rs1, high | (shamt & ((1 << width) - 1)))


def s(name: str, rs2: int, rs1: int, imm: int) -> int:
    """A store by name: mem[rs1 + imm] = rs2."""
    return s_type(STORE, S_OPS[name], rs1, rs2, imm)


def b(name: str, rs1: int, rs2: int, offset: int) -> int:
    """A branch by name to pc + offset."""
    return b_type(B_OPS[name], rs1, rs2, offset)


def lui(rd: int, imm20: int) -> int:
    """rd = sext(imm20 << 12)."""
    return u_type(LUI, rd, imm20)


def auipc(rd: int, imm20: int) -> int:
    """rd = pc + sext(imm20 << 12)."""
    return u_type(AUIPC, rd, imm20)


def jal(rd: int, offset: int) -> int:
    """rd = pc + 4; pc += offset."""
    return j_type(rd, offset)


def li(rd: int, value: int) -> list[int]:
    """Load any 64-bit constant into rd (lui/addiw, then shifts and addi for wider values)."""
    value &= (1 << 64) - 1
    v = value - (1 << 64) if value >> 63 else value
    if -2048 <= v < 2048:
        return [i("addi", rd, 0, v)]
    if -(1 << 31) <= v < 1 << 31:
        hi = ((v + 0x800) >> 12) & 0xFFFFF
        return [lui(rd, hi), i("addiw", rd, rd, v - (((v + 0x800) >> 12) << 12))]
    lo = ((v & 0xFFF) ^ 0x800) - 0x800
    return [*li(rd, (v - lo) >> 12), shift("slli", rd, rd, 12), i("addi", rd, rd, lo)]


def yield_(code: int = 0) -> list[int]:
    """a0 = code; a7 = 93; ecall."""
    return [*li(10, code), *li(17, 93), ECALL]


def assemble(words: Iterable[int]) -> bytes:
    """Little-endian machine code."""
    return b"".join((w & 0xFFFF_FFFF).to_bytes(4, "little") for w in words)
