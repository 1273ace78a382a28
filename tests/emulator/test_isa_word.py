"""RV64I W instructions: 32-bit results sign-extended to 64 bits, 5-bit shift amounts."""

from __future__ import annotations

import pytest
from emu_harness import binop
from rvasm import i, r, shift

M = (1 << 64) - 1


@pytest.mark.parametrize(
    ("name", "a", "b", "expected"),
    [
        ("addw", 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),       # overflow into the sign bit
        ("addw", 0xFFFF_FFFF, 1, 0),
        ("addw", 0x1_0000_0005, 0x2_0000_0006, 11),            # upper halves ignored
        ("subw", 0, 1, M),
        ("subw", 0x8000_0000, 1, 0x7FFF_FFFF),
        ("sllw", 1, 31, 0xFFFF_FFFF_8000_0000),
        ("sllw", 1, 32, 1),                                   # only rs2[4:0]
        ("sllw", 0xFFFF_FFFF, 63, 0xFFFF_FFFF_8000_0000),
        ("srlw", 0xFFFF_FFFF_8000_0000, 31, 1),
        ("srlw", 0x8000_0000, 0, 0xFFFF_FFFF_8000_0000),       # shift by 0 still sign-extends
        ("sraw", 0x8000_0000, 31, M),
        ("sraw", 0x1_7FFF_FFFF, 33, 0x3FFF_FFFF),             # shamt 33 -> 1, upper half ignored
    ],
)
def test_word_register(backend: str, name: str, a: int, b: int, expected: int) -> None:
    assert binop(backend, [r(name, 7, 5, 6)], a, b) == expected


@pytest.mark.parametrize(
    ("name", "a", "operand", "expected"),
    [
        ("addiw", 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000),
        ("addiw", 0xFFFF_FFFF_0000_0000, -1, M),
        ("addiw", 0x1_2345_6789, 0, 0x2345_6789),              # sext.w
        ("slliw", 3, 31, 0xFFFF_FFFF_8000_0000),
        ("srliw", 0xFFFF_FFFF_FFFF_FFFF, 4, 0x0FFF_FFFF),
        ("srliw", 0x8000_0000, 0, 0xFFFF_FFFF_8000_0000),
        ("sraiw", 0x8000_0000, 4, 0xFFFF_FFFF_F800_0000),
        ("sraiw", 0x7000_0000, 28, 7),
    ],
)
def test_word_immediate(backend: str, name: str, a: int, operand: int, expected: int) -> None:
    word = i(name, 7, 5, operand) if name == "addiw" else shift(name, 7, 5, operand)
    assert binop(backend, [word], a, 0) == expected
