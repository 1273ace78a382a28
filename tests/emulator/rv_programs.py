"""Hypothesis strategies for random RV64IM programs over all opcodes, branches, loads/stores and faults."""

from __future__ import annotations

from hypothesis import strategies as st
from rvasm import (
    B_OPS,
    EBREAK,
    ECALL,
    FENCE,
    LOADS,
    R_OPS,
    S_OPS,
    SHIFT_OPS,
    auipc,
    b,
    i,
    jal,
    li,
    lui,
    r,
    s,
    shift,
    yield_,
)

from emulator.layout import RAM_BASE, ROM_BASE, S_BASE
from emulator.template import MachineParams

POINTERS = (5, 6, 7)                     # x5 -> RAM, x6 -> S, x7 -> ROM at the start
I_NAMES = ("addi", "slti", "sltiu", "xori", "ori", "andi", "addiw")
REG = st.integers(0, 31)
BASE = st.one_of(st.sampled_from(POINTERS), REG)
IMM12 = st.integers(-2048, 2047)
OFFSET = st.one_of(st.integers(-64, 64), IMM12)


def ecall_with(number: int) -> list[int]:
    """a7 = number; ecall."""
    return [*li(17, number), ECALL]


INSTRUCTION = st.one_of(
    st.builds(lambda n, d, a, c: [r(n, d, a, c)], st.sampled_from(sorted(R_OPS)), REG, REG, REG),
    st.builds(lambda n, d, a, imm: [i(n, d, a, imm)], st.sampled_from(I_NAMES), REG, REG, IMM12),
    st.builds(lambda n, d, a, k: [shift(n, d, a, k)], st.sampled_from(sorted(SHIFT_OPS)), REG, REG,
              st.integers(0, 63)),
    st.builds(lambda n, d, a, imm: [i(n, d, a, imm)], st.sampled_from(LOADS), REG, BASE, OFFSET),
    st.builds(lambda n, v, a, imm: [s(n, v, a, imm)], st.sampled_from(sorted(S_OPS)), REG, BASE, OFFSET),
    st.builds(lambda n, a, c, off: [b(n, a, c, off)], st.sampled_from(sorted(B_OPS)), REG, REG,
              st.sampled_from([-8, -4, 4, 8, 12, 2, 6])),
    st.builds(lambda d, off: [jal(d, off)], REG, st.sampled_from([4, 8, -4, 6, 0x1000, -0x1000])),
    st.builds(lambda d, a, imm: [i("jalr", d, a, imm)], REG, REG, st.integers(-16, 16)),
    st.builds(lambda d, imm: [lui(d, imm)], REG, st.integers(0, 0xFFFFF)),
    st.builds(lambda d, imm: [auipc(d, imm)], REG, st.sampled_from([0, 1, 0xFFFFF])),
    st.builds(ecall_with, st.sampled_from([64, 93, 1000, 7])),
    st.sampled_from([[EBREAK], [FENCE]]),
    st.builds(lambda w: [w], st.integers(0, (1 << 32) - 1)),
)
PROGRAM = st.tuples(
    st.lists(st.integers(0, (1 << 64) - 1), min_size=4, max_size=4),
    st.lists(INSTRUCTION, min_size=1, max_size=40),
)


Program = tuple[list[int], list[list[int]]]


def prelude_registers(values: list[int]) -> dict[int, int]:
    """The registers a program's prelude sets: x5 -> RAM, x6 -> S, x7 -> ROM, x8..x11 the values."""
    pointers = {5: RAM_BASE + 0x100, 6: S_BASE + 0x80, 7: ROM_BASE}
    return {**pointers, **dict(zip((8, 9, 10, 11), values, strict=True))}


def prelude(values: list[int]) -> list[int]:
    """The words that set the prelude's registers."""
    return [w for reg, value in prelude_registers(values).items() for w in li(reg, value)]


def program_words(program: Program) -> list[int]:
    """The words of a generated program: pointer and value registers set up, the body, then a yield."""
    values, body = program
    return [*prelude(values), *(w for group in body for w in group), *yield_()]


SMALL_MACHINE = MachineParams(log2_window=8, ram_size=1 << 13, s_size=1 << 13)
