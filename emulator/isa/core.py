"""The pieces every instruction uses: 64-bit helpers, field extraction, the Cpu view, traps, the table.

Values in registers are always unsigned 64-bit integers (0 <= v < 2^64); the helpers here are the
only places that wrap, sign-extend or reinterpret them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emulator.access import StateAccess
from emulator.layout import (
    CAUSE_LOAD,
    CAUSE_STORE,
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    SHADOW_BASE,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_X,
    TOP_BASE,
)

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
SIGN64 = 1 << 63


# --- 64-bit helpers --------------------------------------------------------------------------------
def u64(value: int) -> int:
    """value mod 2^64."""
    return value & MASK64


def sext(value: int, bits: int) -> int:
    """Sign-extend the low `bits` bits of value to an unsigned 64-bit value."""
    value &= (1 << bits) - 1
    return u64(value - (1 << bits)) if value >> (bits - 1) else value


def signed(value: int) -> int:
    """A 64-bit register value read as two's complement."""
    return value - (1 << 64) if value & SIGN64 else value


def add64(a: int, b: int) -> int:
    """a + b mod 2^64."""
    return (a + b) & MASK64










def _trunc_div(a: int, b: int) -> int:
    """Signed division rounding toward zero (b != 0)."""
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def div_signed(a: int, b: int, bits: int) -> int:
    """RISC-V signed division of `bits`-bit values: /0 -> -1, MIN/-1 -> MIN; result sign-extended."""
    sa, sb = signed(sext(a, bits)), signed(sext(b, bits))
    if sb == 0:
        return MASK64
    if sa == -(1 << (bits - 1)) and sb == -1:
        return sext(sa, bits)
    return sext(_trunc_div(sa, sb), bits)


def div_unsigned(a: int, b: int, bits: int) -> int:
    """RISC-V unsigned division of `bits`-bit values: /0 -> all ones; result sign-extended."""
    mask = (1 << bits) - 1
    a, b = a & mask, b & mask
    return MASK64 if b == 0 else sext(a // b, bits)


def rem_signed(a: int, b: int, bits: int) -> int:
    """RISC-V signed remainder: %0 -> a, MIN%-1 -> 0; result sign-extended."""
    sa, sb = signed(sext(a, bits)), signed(sext(b, bits))
    if sb == 0:
        return sext(sa, bits)
    if sa == -(1 << (bits - 1)) and sb == -1:
        return 0
    return sext(sa - sb * _trunc_div(sa, sb), bits)


def rem_unsigned(a: int, b: int, bits: int) -> int:
    """RISC-V unsigned remainder: %0 -> a; result sign-extended."""
    mask = (1 << bits) - 1
    a, b = a & mask, b & mask
    return sext(a if b == 0 else a % b, bits)


# --- instruction fields ----------------------------------------------------------------------------
def rd(word: int) -> int:
    """Bits 11..7."""
    return (word >> 7) & 31


def rs1(word: int) -> int:
    """Bits 19..15."""
    return (word >> 15) & 31


def rs2(word: int) -> int:
    """Bits 24..20."""
    return (word >> 20) & 31


def funct3(word: int) -> int:
    """Bits 14..12."""
    return (word >> 12) & 7


def funct7(word: int) -> int:
    """Bits 31..25."""
    return word >> 25


def imm_i(word: int) -> int:
    """I-type immediate: bits 31..20, sign-extended."""
    return sext(word >> 20, 12)


def imm_s(word: int) -> int:
    """S-type immediate: bits 31..25 ‖ 11..7, sign-extended."""
    return sext(((word >> 25) << 5) | ((word >> 7) & 31), 12)


def imm_b(word: int) -> int:
    """B-type immediate: imm[12|10:5] in 31..25, imm[4:1|11] in 11..7, sign-extended."""
    value = (
        ((word >> 31) & 1) << 12
        | ((word >> 7) & 1) << 11
        | ((word >> 25) & 0x3F) << 5
        | ((word >> 8) & 0xF) << 1
    )
    return sext(value, 13)


def imm_u(word: int) -> int:
    """U-type immediate: bits 31..12 in place, sign-extended from bit 31."""
    return sext(word & 0xFFFFF000, 32)


def imm_j(word: int) -> int:
    """J-type immediate: imm[20|10:1|11|19:12] in 31..12, sign-extended."""
    value = (
        ((word >> 31) & 1) << 20
        | ((word >> 12) & 0xFF) << 12
        | ((word >> 20) & 1) << 11
        | ((word >> 21) & 0x3FF) << 1
    )
    return sext(value, 21)


def regions(ram_size: int, s_size: int, rom_end: int, writable: bool) -> list[tuple[int, int]]:
    """The (base, end) ranges a store (RAM, S) or a load (also ROM) may touch, each clipped to its window."""
    allowed = [
        (RAM_BASE, min(RAM_BASE + ram_size, S_BASE)),
        (S_BASE, min(S_BASE + s_size, ROM_BASE)),
    ]
    return allowed if writable else [*allowed, (ROM_BASE, min(max(rom_end, ROM_BASE), TOP_BASE))]


def inside(addr: int, n: int, allowed: list[tuple[int, int]]) -> bool:
    """Every byte of [addr, addr + n) lies in one of the (base, end) regions."""
    return all(any(base <= a < end for base, end in allowed) for a in range(addr, addr + n))


def fetchable(pc: int, text_start: int, text_end: int) -> bool:
    """pc is 4-aligned and inside [text_start, text_end - 4] clipped to ROM (spec §2.3, §2.8)."""
    return pc % 4 == 0 and max(text_start, ROM_BASE) <= pc <= min(text_end, TOP_BASE) - 4


# --- traps and the machine view --------------------------------------------------------------------
class Trap(Exception):
    """An instruction faults: status := FAULTED with this cause and tval, nothing else changes."""

    def __init__(self, cause: int, tval: int) -> None:
        """Record the fault cause and value."""
        super().__init__(cause, tval)
        self.cause = cause
        self.tval = u64(tval)


class Cpu:
    """Registers, shadow fields and guarded memory, all read and written through a state access."""

    def __init__(self, access: StateAccess) -> None:
        """View the machine behind access."""
        self.access = access

    def field(self, offset: int) -> int:
        """The u64 shadow field at offset."""
        return int.from_bytes(self.access.read(SHADOW_BASE + offset, 8), "little")

    def set_field(self, offset: int, value: int) -> None:
        """Store a u64 shadow field."""
        self.access.write(SHADOW_BASE + offset, u64(value).to_bytes(8, "little"))

    def x(self, i: int) -> int:
        """Register i; x0 reads as 0 without touching the state."""
        return self.field(SHADOW_X + 8 * i) if i else 0

    def set_x(self, i: int, value: int) -> None:
        """Write register i; writes to x0 are discarded without touching the state."""
        if i:
            self.set_field(SHADOW_X + 8 * i, value)

    def load_bytes(self, addr: int, n: int) -> bytes:
        """n bytes from RAM, S or ROM; otherwise a load fault (tval = addr)."""
        bounds = self.field(SHADOW_RAM_SIZE), self.field(SHADOW_S_SIZE), self.field(SHADOW_ROM_END)
        if not inside(addr, n, regions(*bounds, writable=False)):
            raise Trap(CAUSE_LOAD, addr)
        return self.access.read(addr, n)

    def store_bytes(self, addr: int, data: bytes) -> None:
        """Store data into RAM or S; otherwise a store fault (tval = addr)."""
        bounds = self.field(SHADOW_RAM_SIZE), self.field(SHADOW_S_SIZE), 0
        if not inside(addr, len(data), regions(*bounds, writable=True)):
            raise Trap(CAUSE_STORE, addr)
        self.access.write(addr, data)

    def load(self, addr: int, n: int) -> int:
        """Little-endian load of n bytes from RAM, S or ROM; otherwise a load fault."""
        return int.from_bytes(self.load_bytes(addr, n), "little")

    def store(self, addr: int, n: int, value: int) -> None:
        """Little-endian store of the low n bytes of value into RAM or S; otherwise a store fault."""
        self.store_bytes(addr, (value & ((1 << (8 * n)) - 1)).to_bytes(n, "little"))


# --- the instruction table -------------------------------------------------------------------------
Semantics = Callable[[Cpu, int, int], int]   # (cpu, word, pc) -> next pc
Operation = Callable[[int, int], int]        # two u64 operands -> a u64 result (or a branch's bool)

OPCODE_LOAD = 0b0000011
OPCODE_MISC_MEM = 0b0001111
OPCODE_OP_IMM = 0b0010011
OPCODE_AUIPC = 0b0010111
OPCODE_OP_IMM_32 = 0b0011011
OPCODE_STORE = 0b0100011
OPCODE_OP = 0b0110011
OPCODE_LUI = 0b0110111
OPCODE_OP_32 = 0b0111011
OPCODE_BRANCH = 0b1100011
OPCODE_JALR = 0b1100111
OPCODE_JAL = 0b1101111
OPCODE_SYSTEM = 0b1110011

# Operand formats: which fields an instruction reads, and how its assembly text is written.
FORMAT_R = "R"              # rd, rs1, rs2
FORMAT_I = "I"              # rd, rs1, imm_i
FORMAT_SHIFT = "I-shift"    # rd, rs1, shamt = bits 25..20 (a legal W shift has bit 25 clear)
FORMAT_OFFSET = "I-offset"  # rd, imm_i(rs1): loads and JALR
FORMAT_S = "S"              # rs2, imm_s(rs1)
FORMAT_B = "B"              # rs1, rs2, pc + imm_b
FORMAT_U = "U"              # rd, imm_u
FORMAT_J = "J"              # rd, pc + imm_j
FORMAT_BARE = "bare"        # no operands: FENCE, FENCE.I, ECALL, EBREAK
WRITES_RD = frozenset({FORMAT_R, FORMAT_I, FORMAT_SHIFT, FORMAT_OFFSET, FORMAT_U, FORMAT_J})


def shamt(word: int) -> int:
    """A shift-immediate's amount: bits 25..20."""
    return (word >> 20) & 63


IMMEDIATES: dict[str, Callable[[int], int]] = {
    FORMAT_I: imm_i, FORMAT_SHIFT: shamt, FORMAT_OFFSET: imm_i, FORMAT_S: imm_s,
    FORMAT_B: imm_b, FORMAT_U: imm_u, FORMAT_J: imm_j,
}


@dataclass(frozen=True)
class Instruction:
    """One RV64IM instruction: mnemonic, decode key, operand format, semantics and its parts.

    `operation` is the pure function of two u64 operands an ALU, U-type or branch instruction
    applies (the semantics is the format's rule around it); `width` and `signed` describe a load
    or store. Engines that do not run `semantics` itself build their code from these fields.
    """

    mnemonic: str
    key: tuple[int, ...]
    format: str
    semantics: Semantics
    operation: Operation | None = None
    width: int = 0
    signed: bool = False


INSTRUCTIONS: dict[tuple[int, ...], Instruction] = {}
TABLE: dict[tuple[int, ...], Semantics] = {}   # the semantics of INSTRUCTIONS, by the same keys


def decode_key(word: int) -> tuple[int, ...]:
    """The table key of a word: the opcode plus exactly the fields that select the instruction."""
    op = word & 0x7F
    if op in (OPCODE_OP, OPCODE_OP_32):
        return (op, funct3(word), funct7(word))
    if op == OPCODE_OP_IMM and funct3(word) in (1, 5):
        return (op, funct3(word), word >> 26)          # RV64 shifts: imm[11:6] selects
    if op == OPCODE_OP_IMM_32 and funct3(word) in (1, 5):
        return (op, funct3(word), funct7(word))
    if op in (OPCODE_LUI, OPCODE_AUIPC, OPCODE_JAL):
        return (op,)
    if op == OPCODE_SYSTEM:
        return (op, word)                              # ECALL and EBREAK are whole words
    return (op, funct3(word))


def format_of(key: tuple[int, ...]) -> str:
    """The operand format an instruction's decode key implies."""
    op = key[0]
    if op in (OPCODE_OP, OPCODE_OP_32):
        return FORMAT_R
    if op in (OPCODE_OP_IMM, OPCODE_OP_IMM_32):
        return FORMAT_SHIFT if key[1] in (1, 5) else FORMAT_I
    formats = {
        OPCODE_LOAD: FORMAT_OFFSET, OPCODE_JALR: FORMAT_OFFSET, OPCODE_STORE: FORMAT_S,
        OPCODE_BRANCH: FORMAT_B, OPCODE_LUI: FORMAT_U, OPCODE_AUIPC: FORMAT_U, OPCODE_JAL: FORMAT_J,
    }
    return formats.get(op, FORMAT_BARE)


def mnemonic_of(name: str) -> str:
    """The assembly mnemonic of a semantics function: `or_` -> `or`, `fence_i` -> `fence.i`."""
    return name.rstrip("_").replace("_", ".")


def add_instruction(entry: Instruction) -> None:
    """Put an instruction into the table (each decode key once)."""
    if entry.key in INSTRUCTIONS:
        raise RuntimeError(f"decode key {entry.key} registered twice")
    INSTRUCTIONS[entry.key] = entry
    TABLE[entry.key] = entry.semantics


def instruction(*key: int) -> Callable[[Semantics], Semantics]:
    """Register semantics written out in full (jumps, SYSTEM, MISC-MEM) under its decode key."""
    def register(fn: Semantics) -> Semantics:
        """Add fn to the table."""
        add_instruction(Instruction(mnemonic_of(fn.__name__), key, format_of(key), fn))
        return fn
    return register


def _named(fn: Semantics, operation: Callable[..., object]) -> Semantics:
    """fn carrying the name and docstring of the operation it applies."""
    fn.__name__ = fn.__qualname__ = operation.__name__
    fn.__doc__ = operation.__doc__
    return fn


def alu_semantics(operation: Operation, fmt: str) -> Semantics:
    """The semantics of an ALU or U-type instruction: rd = operation(rs1, rs2 | immediate | pc, imm)."""
    if fmt == FORMAT_R:
        def register_register(cpu: Cpu, word: int, pc: int) -> int:
            """rd = operation(rs1, rs2)."""
            cpu.set_x(rd(word), operation(cpu.x(rs1(word)), cpu.x(rs2(word))))
            return pc + 4
        return _named(register_register, operation)
    if fmt == FORMAT_U:
        def upper(cpu: Cpu, word: int, pc: int) -> int:
            """rd = operation(pc, imm_u)."""
            cpu.set_x(rd(word), operation(pc, imm_u(word)))
            return pc + 4
        return _named(upper, operation)
    immediate = IMMEDIATES[fmt]

    def register_immediate(cpu: Cpu, word: int, pc: int) -> int:
        """rd = operation(rs1, immediate)."""
        cpu.set_x(rd(word), operation(cpu.x(rs1(word)), immediate(word)))
        return pc + 4
    return _named(register_immediate, operation)


def alu(*key: int) -> Callable[[Operation], Operation]:
    """Register an ALU or U-type instruction by its operation on two u64 operands."""
    def register(operation: Operation) -> Operation:
        """Add the instruction built from operation to the table."""
        fmt = format_of(key)
        semantics = alu_semantics(operation, fmt)
        add_instruction(Instruction(mnemonic_of(operation.__name__), key, fmt, semantics, operation))
        return operation
    return register


def lookup(word: int) -> Instruction | None:
    """The table entry of a 32-bit word, or None if it is not an RV64IM instruction."""
    return INSTRUCTIONS.get(decode_key(word))


def decode(word: int) -> Semantics | None:
    """The semantics of a 32-bit word, or None if it is not an RV64IM instruction."""
    return TABLE.get(decode_key(word))


def is_rv64im(word: int) -> bool:
    """Whether word is an RV64IM instruction machine AB executes: the decoder's answer."""
    return decode_key(word) in INSTRUCTIONS
