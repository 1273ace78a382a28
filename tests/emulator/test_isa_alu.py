"""RV64I ALU instructions (register-register, register-immediate, LUI, AUIPC) with edge values."""

from __future__ import annotations

import pytest
from emu_harness import binop, run, status, x
from rvasm import auipc, i, li, lui, r, shift, yield_

from emulator.layout import ROM_BASE

M = (1 << 64) - 1
MIN = 1 << 63


@pytest.mark.parametrize(
    ("name", "a", "b", "expected"),
    [
        ("add", 5, 7, 12),
        ("add", M, 1, 0),                        # wraps
        ("add", MIN, MIN, 0),
        ("sub", 0, 1, M),
        ("sub", MIN, 1, MIN - 1),
        ("sll", 1, 63, MIN),
        ("sll", 1, 64, 1),                       # only rs2[5:0] counts
        ("sll", 3, 65, 6),
        ("srl", MIN, 63, 1),
        ("srl", MIN, 64, MIN),
        ("sra", MIN, 63, M),
        ("sra", MIN, 64, MIN),
        ("sra", 0x7FFF_FFFF_FFFF_FFFF, 62, 1),
        ("slt", M, 0, 1),                        # -1 < 0
        ("slt", 0, M, 0),
        ("sltu", M, 0, 0),
        ("sltu", 0, M, 1),
        ("xor", 0xF0F0, 0xFF00, 0x0FF0),
        ("or", 0xF0F0, 0xFF00, 0xFFF0),
        ("and", 0xF0F0, 0xFF00, 0xF000),
    ],
)
def test_register_register(backend: str, name: str, a: int, b: int, expected: int) -> None:
    assert binop(backend, [r(name, 7, 5, 6)], a, b) == expected


@pytest.mark.parametrize(
    ("name", "a", "imm", "expected"),
    [
        ("addi", 5, -6, M),
        ("addi", M, 1, 0),
        ("addi", 0, 2047, 2047),
        ("addi", 0, -2048, (1 << 64) - 2048),
        ("slti", M, 0, 1),
        ("slti", 5, -1, 0),
        ("sltiu", 5, -1, 1),                     # -1 sign-extends to 2^64 - 1
        ("sltiu", M, -1, 0),
        ("xori", 0, -1, M),
        ("ori", 0x100, 0x0FF, 0x1FF),
        ("andi", M, -16, M - 15),
    ],
)
def test_register_immediate(backend: str, name: str, a: int, imm: int, expected: int) -> None:
    assert binop(backend, [i(name, 7, 5, imm)], a, 0) == expected


@pytest.mark.parametrize(
    ("name", "a", "shamt", "expected"),
    [
        ("slli", 1, 63, MIN),
        ("slli", M, 0, M),
        ("srli", MIN, 63, 1),
        ("srai", MIN, 63, M),
        ("srai", MIN, 1, 0xC000_0000_0000_0000),
    ],
)
def test_shift_immediate(backend: str, name: str, a: int, shamt: int, expected: int) -> None:
    assert binop(backend, [shift(name, 7, 5, shamt)], a, 0) == expected


def test_lui_sign_extends(backend: str) -> None:
    state = run(backend, [lui(7, 0x80000), lui(8, 0x7FFFF), *yield_()])
    assert x(state, 7) == 0xFFFF_FFFF_8000_0000
    assert x(state, 8) == 0x7FFF_F000


def test_auipc_adds_pc(backend: str) -> None:
    state = run(backend, [i("addi", 0, 0, 0), auipc(7, 1), auipc(8, 0xFFFFF), *yield_()])
    assert x(state, 7) == ROM_BASE + 4 + 0x1000
    assert x(state, 8) == ROM_BASE + 8 - 0x1000


def test_writes_to_x0_are_discarded(backend: str) -> None:
    words = [*li(5, 9), r("add", 0, 5, 5), i("addi", 0, 0, 7), lui(0, 1), r("add", 7, 0, 0)]
    state = run(backend, [*words, *yield_()])
    assert status(state) == 1
    assert x(state, 0) == 0
    assert x(state, 7) == 0


@pytest.mark.parametrize(
    "value", [0, 1, -1, 2047, -2048, 0x7FFF_FFFF, -(1 << 31), 0x1234_5678_9ABC_DEF0, MIN, M]
)
def test_li_builds_any_constant(backend: str, value: int) -> None:
    state = run(backend, [*li(7, value), *yield_()])
    assert x(state, 7) == value & M
