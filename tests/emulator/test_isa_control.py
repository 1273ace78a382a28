"""Branches and jumps: taken/not taken, signed/unsigned comparisons, link registers, misaligned targets."""

from __future__ import annotations

import pytest
from emu_harness import fault, pc, run, status, x
from rvasm import b, i, jal, li, yield_

from emulator.layout import CAUSE_MISALIGNED_TARGET, ROM_BASE, STATUS_FAULTED

M = (1 << 64) - 1


def branch_taken(backend: str, name: str, a: int, c: int) -> bool:
    """Whether `name x5, x6` jumps over the instruction that sets x7."""
    state = run(backend, [*li(5, a), *li(6, c), *li(7, 1), b(name, 5, 6, 8), i("addi", 7, 0, 2), *yield_()])
    assert status(state) == 1
    return x(state, 7) == 1


@pytest.mark.parametrize(
    ("name", "a", "c", "taken"),
    [
        ("beq", 3, 3, True), ("beq", 3, 4, False),
        ("bne", 3, 4, True), ("bne", M, M, False),
        ("blt", M, 0, True), ("blt", 0, M, False), ("blt", 2, 2, False),
        ("bge", 0, M, True), ("bge", 2, 2, True), ("bge", M, 0, False),
        ("bltu", 0, M, True), ("bltu", M, 0, False),
        ("bgeu", M, 0, True), ("bgeu", 0, M, False), ("bgeu", 5, 5, True),
    ],
)
def test_branch_conditions(backend: str, name: str, a: int, c: int, taken: bool) -> None:
    assert branch_taken(backend, name, a, c) is taken


def test_backward_branch_loop(backend: str) -> None:
    state = run(backend, [*li(5, 10), i("addi", 6, 0, 0), i("addi", 6, 6, 3), i("addi", 5, 5, -1),
                          b("bne", 5, 0, -8), *yield_()])
    assert x(state, 6) == 30


def test_jal_links_and_jumps(backend: str) -> None:
    state = run(backend, [jal(1, 8), i("addi", 7, 0, 9), *yield_()])
    assert x(state, 1) == ROM_BASE + 4
    assert x(state, 7) == 0


def test_jalr_clears_bit_zero_and_links(backend: str) -> None:
    target = ROM_BASE + 4 * 6
    words = [*li(5, target + 1)]
    words += [i("jalr", 1, 5, 0)]
    words += [i("addi", 7, 0, 9)] * (6 - len(words))
    state = run(backend, [*words, *yield_()])
    assert x(state, 1) == ROM_BASE + 4 * (len(li(5, target + 1)) + 1)
    assert x(state, 7) == 0
    assert status(state) == 1


def test_jalr_rd_equal_rs1_uses_old_value(backend: str) -> None:
    target = ROM_BASE + 4 * (len(li(5, ROM_BASE)) + 2)
    words = [*li(5, target), i("jalr", 5, 5, 0), i("addi", 7, 0, 9)]
    state = run(backend, [*words, *yield_()])
    assert x(state, 5) == ROM_BASE + 4 * (len(li(5, target)) + 1)
    assert x(state, 7) == 0


@pytest.mark.parametrize("offset", [2, 6, -2])
def test_misaligned_jal_target_faults(backend: str, offset: int) -> None:
    state = run(backend, [i("addi", 1, 0, 5), jal(1, offset), *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_MISALIGNED_TARGET, (ROM_BASE + 4 + offset) & M)
    assert x(state, 1) == 5                       # the link register is not written
    assert pc(state) == ROM_BASE + 4


def test_misaligned_jalr_target_faults(backend: str) -> None:
    state = run(backend, [*li(5, ROM_BASE + 0x102), i("jalr", 1, 5, 0), *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_MISALIGNED_TARGET, ROM_BASE + 0x102)
    assert x(state, 1) == 0


def test_misaligned_branch_faults_only_when_taken(backend: str) -> None:
    not_taken = run(backend, [*li(5, 1), b("beq", 5, 0, 6), *yield_()])
    assert status(not_taken) == 1
    taken = run(backend, [b("beq", 0, 0, 6), *yield_()])
    assert fault(taken) == (CAUSE_MISALIGNED_TARGET, ROM_BASE + 6)
