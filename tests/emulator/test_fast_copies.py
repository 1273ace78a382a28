"""The fast engine's closures against the instruction table's semantics, one instruction at a time.

The fast engine keeps copies for speed (inlined source expressions, its own jump, ECALL and memory
closures); here every instruction of the table runs both ways from the same registers and memory,
with boundary and random register values, immediates, shift amounts and addresses at region and
page edges, and must give the same next pc or the same trap, the same registers and the same memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from rv_programs import SMALL_MACHINE

from emulator.access import DirectAccess
from emulator.fast import FastMachine
from emulator.isa import INSTRUCTIONS, Cpu, Instruction, Trap, lookup
from emulator.isa.core import (
    FORMAT_B,
    FORMAT_BARE,
    FORMAT_I,
    FORMAT_J,
    FORMAT_OFFSET,
    FORMAT_R,
    FORMAT_S,
    FORMAT_SHIFT,
    FORMAT_U,
    MASK64,
)
from emulator.layout import ECALL_ABORT, ECALL_WRITE, ECALL_YIELD, RAM_BASE, ROM_BASE, S_BASE, TOP_BASE
from emulator.template import template_from_code

RD, RS1, RS2, A0, A7 = 5, 6, 7, 10, 17
VALUES = (
    0, 1, 2, 3, 31, 32, 63, 64, 0x7FF, 0x800, (1 << 31) - 1, 1 << 31, (1 << 32) - 1, 1 << 32,
    (1 << 63) - 1, 1 << 63, MASK64, MASK64 - 1, 0xFFFF_FFFF_8000_0000, 0x8000_0000_FFFF_FFFF,
)
IMM12 = (0, 1, 2, 4, 0x7FF, 0x7FE, -1, -2, -4, -0x800, -0x7FF)
PCS = (ROM_BASE + 0x100, 0, 8)
TEMPLATE = template_from_code(b"\x13\x00\x00\x00" * 16, SMALL_MACHINE)   # addi x0, x0, 0
RNG = random.Random(12)


def random_values(n: int) -> list[int]:
    """n random u64 register values, half of them small or near a power of two."""
    values = []
    for _ in range(n):
        bits = RNG.choice((5, 12, 31, 32, 33, 63, 64))
        values.append((RNG.getrandbits(bits) - RNG.choice((0, 1))) & MASK64)
    return values


def encode(entry: Instruction, rd: int, rs1: int, rs2: int, imm: int) -> int:
    """The word of entry with these fields (imm in the format's own layout)."""
    op, fmt = entry.key[0], entry.format
    word = op
    f3 = entry.key[1] if len(entry.key) > 1 and fmt != FORMAT_BARE else 0
    if fmt == FORMAT_R:
        return word | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | entry.key[2] << 25
    if fmt in (FORMAT_I, FORMAT_OFFSET):
        return word | rd << 7 | f3 << 12 | rs1 << 15 | (imm & 0xFFF) << 20
    if fmt == FORMAT_SHIFT:
        upper = entry.key[2] << (26 if op == 0b0010011 else 25)
        return word | rd << 7 | f3 << 12 | rs1 << 15 | imm << 20 | upper
    if fmt == FORMAT_S:
        imm &= 0xFFF
        return word | (imm & 31) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (imm >> 5) << 25
    if fmt == FORMAT_B:
        imm &= 0x1FFF
        hi = (imm >> 12) << 6 | (imm >> 5) & 0x3F
        lo = ((imm >> 1) & 0xF) << 1 | (imm >> 11) & 1
        return word | lo << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | hi << 25
    if fmt == FORMAT_U:
        return word | rd << 7 | (imm & 0xFFFFF) << 12
    if fmt == FORMAT_J:
        imm &= 0x1FFFFF
        bits = (imm >> 20) << 19 | ((imm >> 1) & 0x3FF) << 9 | ((imm >> 11) & 1) << 8 | (imm >> 12) & 0xFF
        return word | rd << 7 | bits << 12
    return entry.key[1] if op == 0b1110011 else word | f3 << 12


def immediates(entry: Instruction) -> list[int]:
    """Boundary and random immediates (or shift amounts, or branch and jump offsets) for entry."""
    fmt = entry.format
    if fmt == FORMAT_SHIFT:
        top = 31 if entry.key[0] == 0b0011011 else 63
        return sorted({0, 1, 31, top, top - 1, RNG.randint(0, top), RNG.randint(0, top)})
    if fmt == FORMAT_B:
        return [0, 4, -4, 2, -2, 6, 0xFFE, -0x1000, RNG.randrange(-0x1000, 0x1000, 2)]
    if fmt == FORMAT_J:
        return [0, 4, -4, 2, -2, 0xFFFFE, -0x100000, RNG.randrange(-0x100000, 0x100000, 2)]
    if fmt == FORMAT_U:
        return [0, 1, 0x7FFFF, 0x80000, 0xFFFFF, RNG.getrandbits(20)]
    if fmt in (FORMAT_BARE, FORMAT_R):
        return [0]
    return [*IMM12, RNG.randint(-0x800, 0x7FF), RNG.randint(-0x800, 0x7FF)]


def run_both(word: int, pc: int, regs: dict[int, int], memory: dict[int, bytes]) -> tuple[object, object]:
    """(reference outcome, fast outcome): next pc or trap, all registers and the state's root."""
    outcomes = []
    for engine in ("reference", "fast"):
        state = TEMPLATE.initial_state()
        for addr, data in memory.items():
            state.write(addr, data)
        cpu = Cpu(DirectAccess(state, TEMPLATE.qstar_pages()))
        for i, value in regs.items():
            cpu.set_x(i, value)
        entry = lookup(word)
        assert entry is not None
        try:
            if engine == "reference":
                result: object = entry.semantics(cpu, word, pc)
                final = [cpu.x(i) for i in range(32)]
            else:
                machine = FastMachine(TEMPLATE, state)
                try:
                    result = machine._closure(entry, word, pc)()
                except Exception as exc:  # the yield is the engine's own exception
                    if type(exc).__name__ != "_Yield":
                        raise
                    result = "yield"
                final = list(machine.regs[:32])
        except Trap as trap:
            result, final = ("trap", trap.cause, trap.tval), None
        if engine == "reference" and result == pc and entry.mnemonic == "ecall":
            result = "yield"        # the reference yields by keeping pc (and setting status)
        outcomes.append((result, final, state.read(RAM_BASE, 64), state.read(S_BASE, 64)))
    return outcomes[0], outcomes[1]


def register_cases(entry: Instruction, full: bool) -> Iterator[tuple[int, int]]:
    """(rs1, rs2) value pairs: every boundary pair (full, for R and B), equal pairs, then random ones."""
    if full and entry.format in (FORMAT_R, FORMAT_B):
        yield from ((a, b) for a in VALUES for b in VALUES)
    else:
        yield from ((a, a ^ 1) for a in VALUES)
        yield from ((a, a) for a in VALUES[::3])
    rand = random_values(16)
    yield from zip(rand[:8], rand[8:], strict=True)


ALU_FORMATS = (FORMAT_R, FORMAT_I, FORMAT_SHIFT, FORMAT_U, FORMAT_B)
ALU_LIKE = [e for e in INSTRUCTIONS.values() if e.format in ALU_FORMATS]


@pytest.mark.parametrize("entry", ALU_LIKE, ids=lambda e: e.mnemonic)
def test_alu_and_branch_closures_match_the_table(entry: Instruction) -> None:
    for n, imm in enumerate(immediates(entry)):
        for rd in (RD, 0, RS1):
            for pc in PCS if entry.format in (FORMAT_U, FORMAT_B) else PCS[:1]:
                full = n == 0 and rd == RD and pc == PCS[0]
                for a, b in register_cases(entry, full):
                    word = encode(entry, rd, RS1, RS2, imm)
                    assert lookup(word) is entry, hex(word)
                    reference, fast = run_both(word, pc, {RS1: a, RS2: b}, {})
                    assert fast == reference, (entry.mnemonic, hex(word), hex(a), hex(b), pc)


def memory_addresses(width: int) -> list[int]:
    """Addresses at the edges of RAM, S, ROM and pages, for an access of width bytes."""
    ram_end, s_end = RAM_BASE + SMALL_MACHINE.ram_size, S_BASE + SMALL_MACHINE.s_size
    edges = (RAM_BASE, ram_end, S_BASE, s_end, ROM_BASE, TEMPLATE.rom_end, RAM_BASE + 0x1000, TOP_BASE, 0)
    near = {e + d for e in edges for d in (-width - 1, -width, -width + 1, -1, 0, 1)}
    return sorted(a & MASK64 for a in near) + [RNG.randrange(RAM_BASE, ram_end) for _ in range(4)]


MEMORY = [e for e in INSTRUCTIONS.values() if e.width]


@pytest.mark.parametrize("entry", MEMORY, ids=lambda e: e.mnemonic)
def test_load_and_store_closures_match_the_table(entry: Instruction) -> None:
    fill = bytes(RNG.getrandbits(8) | 0x80 for _ in range(64))   # sign bits set: sign extension shows
    memory = {RAM_BASE: fill, S_BASE: fill, RAM_BASE + SMALL_MACHINE.ram_size - 64: fill}
    for addr in memory_addresses(entry.width):
        for imm in (0, -1, 1, 0x7FF, -0x800):
            for value in (MASK64, *random_values(1)):
                word = encode(entry, RD, RS1, RS2, imm)
                base = (addr - imm) & MASK64
                reference, fast = run_both(word, ROM_BASE, {RS1: base, RS2: value}, memory)
                assert fast == reference, (entry.mnemonic, hex(addr), imm, hex(value))


JUMPS_AND_SYSTEM = [
    e for e in INSTRUCTIONS.values() if e.format in (FORMAT_J, FORMAT_BARE) or e.key[0] == 0b1100111
]


@pytest.mark.parametrize("entry", JUMPS_AND_SYSTEM, ids=lambda e: e.mnemonic)
def test_jump_and_system_closures_match_the_table(entry: Instruction) -> None:
    numbers = (ECALL_YIELD, ECALL_WRITE, ECALL_ABORT, 0, 1, 2, 63, 65, MASK64, *random_values(3))
    for imm in immediates(entry) if entry.format != FORMAT_OFFSET else IMM12:
        for rd in (RD, 0, RS1):
            for a in (*VALUES[::2], *random_values(4)):
                for pc in PCS:
                    word = encode(entry, rd, RS1, RS2, imm)
                    regs = {RS1: a, A0: a ^ 0x55}
                    for number in numbers if entry.mnemonic == "ecall" else (0,):
                        reference, fast = run_both(word, pc, {**regs, A7: number}, {})
                        assert fast == reference, (entry.mnemonic, hex(word), hex(a), pc, number)


def test_the_cases_cover_every_instruction() -> None:
    covered = {e.key for e in (*ALU_LIKE, *MEMORY, *JUMPS_AND_SYSTEM)}
    assert covered == set(INSTRUCTIONS)
