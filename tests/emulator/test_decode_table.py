"""The decoder (whose answer is also the image checker's `is_rv64im`) against the RISC-V opcode map.

The map below is restated from the RISC-V unprivileged ISA manual (RV64I and M base opcode tables),
independently of emulator.isa, so that a key missing from or added to the table shows up here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.isa import TABLE, decode

image = pytest.importorskip("emulator.image", reason="the image checker is not available")

OPCODES = range(0, 128)
ANY = frozenset(range(8))
BY_FUNCT3 = {   # opcode -> funct3 values legal whatever the upper bits
    0x03: frozenset({0, 1, 2, 3, 4, 5, 6}), 0x23: frozenset({0, 1, 2, 3}),
    0x63: frozenset({0, 1, 4, 5, 6, 7}),
    0x67: frozenset({0}), 0x0F: frozenset({0, 1}), 0x13: frozenset({0, 2, 3, 4, 6, 7}), 0x1B: frozenset({0}),
}
R_TYPE = {      # (opcode, funct7) -> legal funct3 values
    (0x33, 0x00): ANY, (0x33, 0x20): frozenset({0, 5}), (0x33, 0x01): ANY,
    (0x3B, 0x00): frozenset({0, 1, 5}), (0x3B, 0x20): frozenset({0, 5}),
    (0x3B, 0x01): frozenset({0, 4, 5, 6, 7}),
}


def manual_legal(word: int) -> bool:
    """Whether the manual's RV64IM map (plus FENCE.I, ECALL, EBREAK) has word."""
    opcode, funct3 = word & 0x7F, (word >> 12) & 7
    if opcode in (0x37, 0x17, 0x6F):
        return True
    if opcode in (0x33, 0x3B):
        return funct3 in R_TYPE.get((opcode, word >> 25), frozenset())
    if opcode == 0x13 and funct3 in (1, 5):     # 6-bit shamt: imm[11:6] selects
        return (word >> 26) in ((0x00,) if funct3 == 1 else (0x00, 0x10))
    if opcode == 0x1B and funct3 in (1, 5):     # 5-bit shamt: funct7 selects
        return (word >> 25) in ((0x00,) if funct3 == 1 else (0x00, 0x20))
    if opcode == 0x73:
        return word in (0x0000_0073, 0x0010_0073)
    return funct3 in BY_FUNCT3.get(opcode, frozenset())


def interesting_words() -> list[int]:
    """Every opcode and funct3 with the funct7 / imm[11:6] values that select instructions, and neighbours."""
    words = []
    for opcode in OPCODES:
        for f3 in range(8):
            for f7 in (0x00, 0x01, 0x02, 0x10, 0x11, 0x20, 0x21, 0x40, 0x7F):
                words.append((f7 << 25) | (3 << 20) | (2 << 15) | (f3 << 12) | (1 << 7) | opcode)
                words.append((f7 << 25) | (f3 << 12) | opcode)
    words += [0x0000_0073, 0x0010_0073, 0x0020_0073, 0x0000_00F3, 0x3020_0073, 0x1050_0073, 0]
    return words


def test_every_selector_combination_agrees_with_the_manual() -> None:
    disagreements = [hex(w) for w in interesting_words() if (decode(w) is not None) != manual_legal(w)]
    assert not disagreements


@given(st.integers(0, (1 << 32) - 1))
def test_random_words_agree_with_the_manual(word: int) -> None:
    assert image.is_rv64im(word) == (decode(word) is not None) == manual_legal(word)


def test_table_holds_all_of_rv64im() -> None:
    rv32i = 4 + 6 + 5 + 3 + 9 + 10 + 2 + 2   # U/J/JALR, branches, loads, stores, OP-IMM, OP, fences, system
    rv64i = 2 + 1 + 4 + 5                    # LWU LD, SD, OP-IMM-32, OP-32
    m = 8 + 5
    assert len(TABLE) == rv32i + rv64i + m
