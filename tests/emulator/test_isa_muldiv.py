"""The M extension with its edge values: division by zero, INT_MIN / -1, high products, W forms."""

from __future__ import annotations

import pytest
from emu_harness import binop
from rvasm import r

M = (1 << 64) - 1
MIN = 1 << 63
MIN32 = 0xFFFF_FFFF_8000_0000


@pytest.mark.parametrize(
    ("name", "a", "b", "expected"),
    [
        ("mul", 6, 7, 42),
        ("mul", M, M, 1),
        ("mul", MIN, 2, 0),
        ("mulh", M, M, 0),                                # (-1)(-1) = 1: high 0
        ("mulh", MIN, MIN, 1 << 62),
        ("mulh", MIN, 1, M),
        ("mulhsu", M, M, M),                              # -1 * (2^64 - 1): high is -1
        ("mulhsu", 2, M, 1),
        ("mulhu", M, M, M - 1),
        ("mulhu", 1 << 32, 1 << 32, 1),
        ("div", 7, 2, 3),
        ("div", (-7) & M, 2, (-3) & M),                   # rounds toward zero
        ("div", 5, 0, M),                                 # division by zero: -1
        ("div", MIN, M, MIN),                             # INT_MIN / -1 overflows to INT_MIN
        ("divu", 7, 0, M),
        ("divu", M, 2, M >> 1),
        ("rem", (-7) & M, 2, M),                          # sign of the dividend
        ("rem", 7, (-2) & M, 1),
        ("rem", 5, 0, 5),                                 # remainder by zero: the dividend
        ("rem", MIN, M, 0),
        ("remu", 7, 0, 7),
        ("remu", M, 10, 5),
        ("mulw", 0x1_0000_0002, 0x4000_0000, MIN32),
        ("mulw", M, M, 1),
        ("divw", 0x8000_0000, 0xFFFF_FFFF, MIN32),        # INT32_MIN / -1
        ("divw", 5, 0, M),
        ("divw", 0x1_0000_0006, 3, 2),                    # upper halves ignored
        ("divuw", 0xFFFF_FFFF, 1, M),                     # 2^32-1 sign-extended
        ("divuw", 5, 0, M),
        ("remw", 0x8000_0000, 0xFFFF_FFFF, 0),
        ("remw", 0xFFFF_FFF9, 2, M),                      # -7 % 2 = -1
        ("remw", 0x1_8000_0000, 0, MIN32),                # by zero: sext32 of the dividend
        ("remuw", 0xFFFF_FFFF, 0, M),
        ("remuw", 0x1_0000_0007, 4, 3),
    ],
)
def test_muldiv(backend: str, name: str, a: int, b: int, expected: int) -> None:
    assert binop(backend, [r(name, 7, 5, 6)], a, b) == expected
