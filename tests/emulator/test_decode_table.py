"""One legal-encoding table: the step's decoder and the image checker agree on every word tried."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.isa import TABLE, decode

image = pytest.importorskip("emulator.image", reason="the image checker is not available")

OPCODES = range(0, 128)


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


def test_every_selector_combination_agrees() -> None:
    disagreements = [hex(w) for w in interesting_words() if image.is_rv64im(w) != (decode(w) is not None)]
    assert not disagreements


@given(st.integers(0, (1 << 32) - 1))
def test_random_words_agree(word: int) -> None:
    assert image.is_rv64im(word) == (decode(word) is not None)


def test_table_holds_all_of_rv64im() -> None:
    rv32i = 4 + 6 + 5 + 3 + 9 + 10 + 2 + 2   # U/J/JALR, branches, loads, stores, OP-IMM, OP, fences, system
    rv64i = 2 + 1 + 4 + 5                    # LWU LD, SD, OP-IMM-32, OP-32
    m = 8 + 5
    assert len(TABLE) == rv32i + rv64i + m
