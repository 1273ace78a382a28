"""ECALLs, EBREAK, FENCE, illegal encodings, fetch faults, and the idling of a halted machine."""

from __future__ import annotations

import pytest
from emu_harness import SMALL, clock, fault, make, pc, run, status, x
from rvasm import EBREAK, ECALL, FENCE, FENCE_I, assemble, i, jal, li, r_type, yield_

from emulator.layout import (
    CAUSE_ABORT,
    CAUSE_BREAKPOINT,
    CAUSE_ECALL,
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    RAM_BASE,
    ROM_BASE,
    STATUS_FAULTED,
    STATUS_YIELDED,
)
from emulator.machine import make_machine
from emulator.template import Template


def test_yield_keeps_pc_and_a0(backend: str) -> None:
    words = [i("addi", 5, 0, 1), *yield_(42)]
    state = run(backend, words)
    assert status(state) == STATUS_YIELDED
    assert x(state, 10) == 42
    assert pc(state) == ROM_BASE + 4 * (len(words) - 1)
    assert fault(state) == (0, 0)


def test_write_ecall_only_advances_pc(backend: str) -> None:
    setup = [*li(10, 1), *li(11, RAM_BASE), *li(12, 5), *li(17, 64)]
    with_write = run(backend, [*setup, ECALL, *li(17, 93), ECALL])
    with_nop = run(backend, [*setup, i("addi", 0, 0, 0), *li(17, 93), ECALL])
    assert status(with_write) == STATUS_YIELDED
    assert with_write.node(25, 0) == with_nop.node(25, 0)     # Q (the code in ROM differs)
    assert with_write.node(25, 1) == with_nop.node(25, 1)     # S


def test_write_ecall_reaches_the_host(backend: str) -> None:
    message = b"hi there"
    template = make([*li(10, 2), *li(11, ROM_BASE + 0x1000), *li(12, len(message)), *li(17, 64), ECALL,
                     *yield_()], rodata=message)
    seen: list[tuple[int, bytes]] = []
    machine = make_machine(backend, template, template.initial_state(), lambda fd, b: seen.append((fd, b)))
    machine.run_until_halt(1000)
    assert seen == [(2, message)]


def test_abort_ecall_faults_with_a0(backend: str) -> None:
    state = run(backend, [*li(10, 77), *li(17, 1000), ECALL, *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_ABORT, 77)
    assert x(state, 17) == 1000


@pytest.mark.parametrize("number", [0, 63, 94, 999, 1002, (1 << 64) - 1])
def test_unknown_ecall_faults_with_a7(backend: str, number: int) -> None:
    words = [*li(17, number), ECALL, *yield_()]
    state = run(backend, words)
    assert fault(state) == (CAUSE_ECALL, number)
    assert pc(state) == ROM_BASE + 4 * len(li(17, number))


def test_ebreak_faults_with_pc(backend: str) -> None:
    state = run(backend, [i("addi", 5, 0, 1), EBREAK, *yield_()])
    assert fault(state) == (CAUSE_BREAKPOINT, ROM_BASE + 4)
    assert x(state, 5) == 1


@pytest.mark.parametrize("word", [FENCE, FENCE_I, 0x0000_000F, 0x8330_000F, 0xFFFF_908F])
def test_fences_are_no_ops(backend: str, word: int) -> None:
    state = run(backend, [word, *yield_(3)])
    assert status(state) == STATUS_YIELDED
    assert x(state, 10) == 3


ILLEGAL = {
    "zero word": 0x0000_0000,
    "all ones": 0xFFFF_FFFF,
    "compressed c.nop": 0x0000_0001,
    "compressed c.addi4spn-like": 0x0000_1040,
    "csrrw mstatus": (0x300 << 20) | (2 << 15) | (1 << 12) | (1 << 7) | 0x73,
    "rdcycle": (0xC00 << 20) | (2 << 12) | (1 << 7) | 0x73,
    "mret": 0x3020_0073,
    "wfi": 0x1050_0073,
    "ecall with rd": 0x0000_00F3,
    "flw": 0x0000_2007,
    "fadd.s": 0x0000_0053,
    "lr.d": 0x1000_302F,
    "amoadd.w": 0x0000_202F,
    "op funct7 2": r_type(0b0110011, 0, 2, 1, 2, 3),
    "sub with funct3 1": r_type(0b0110011, 1, 0x20, 1, 2, 3),
    "slli imm[11:6] 0x20": (0x800 << 20) | (1 << 12) | 0x13,
    "srai imm[11:6] 0x11": (0x440 << 20) | (5 << 12) | 0x13,
    "slliw shamt bit 5": (0x020 << 20) | (1 << 12) | 0x1B,
    "sraiw funct7 0x21": (0x420 << 20) | (5 << 12) | 0x1B,
    "jalr funct3 1": 0x0000_1067,
    "load funct3 7": 0x0000_7003,
    "store funct3 4": 0x0000_4023,
    "branch funct3 2": 0x0000_2063,
    "op-32 and": r_type(0b0111011, 7, 0, 1, 2, 3),
    "misc-mem funct3 2": 0x0000_200F,
}


@pytest.mark.parametrize("word", list(ILLEGAL.values()), ids=list(ILLEGAL))
def test_illegal_encodings_fault(backend: str, word: int) -> None:
    state = run(backend, [i("addi", 5, 0, 1), word, *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_ILLEGAL, word)
    assert pc(state) == ROM_BASE + 4
    assert x(state, 5) == 1


def test_running_off_the_end_of_text_is_a_fetch_fault(backend: str) -> None:
    state = run(backend, [i("addi", 5, 5, 1)] * 1024)
    assert fault(state) == (CAUSE_FETCH, ROM_BASE + 0x1000)
    assert x(state, 5) == 1024
    assert clock(state) == 1025


def test_jump_into_ram_is_a_fetch_fault(backend: str) -> None:
    state = run(backend, [*li(5, RAM_BASE), i("jalr", 1, 5, 0), *yield_()])
    assert fault(state) == (CAUSE_FETCH, RAM_BASE)
    assert pc(state) == RAM_BASE
    assert x(state, 1) == ROM_BASE + 4 * (len(li(5, RAM_BASE)) + 1)


def test_jump_into_rodata_is_a_fetch_fault(backend: str) -> None:
    state = run(backend, [jal(0, 0x1000)], rodata=assemble(yield_()))
    assert fault(state) == (CAUSE_FETCH, ROM_BASE + 0x1000)


def test_misaligned_entry_is_a_fetch_fault(backend: str) -> None:
    base = make(yield_())
    template = Template(SMALL, ROM_BASE + 2, base.text_start, base.text_end, base.rom_end, base.rom_pages)
    machine = make_machine(backend, template, template.initial_state())
    assert machine.run_until_halt(10) == 1
    assert fault(machine.state()) == (CAUSE_FETCH, ROM_BASE + 2)


def test_halted_machine_only_ticks(backend: str) -> None:
    template = make([EBREAK])
    machine = make_machine(backend, template, template.initial_state())
    assert machine.run_until_halt(10) == 1
    before = machine.state().copy()
    assert machine.run_until_halt(10) == 0
    assert machine.run(1000) == 1000
    after = machine.state()
    assert clock(after) == 1001
    after_fields = after.read(0, 0x108) + after.read(0x110, 0x48)
    assert after_fields == before.read(0, 0x108) + before.read(0x110, 0x48)
