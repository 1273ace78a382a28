"""Loads and stores: every width, sign extension, misaligned and leaf/page-crossing accesses, region edges."""

from __future__ import annotations

import pytest
from emu_harness import SMALL, fault, pc, run, status, x
from rvasm import LOADS, i, li, s, yield_

from emulator.layout import CAUSE_LOAD, CAUSE_STORE, RAM_BASE, ROM_BASE, S_BASE, STATUS_FAULTED

M = (1 << 64) - 1
PATTERN = 0x8877_6655_F4F3_F2F1
EXPECTED = {  # load of PATTERN's first bytes, by instruction
    "lb": 0xFFFF_FFFF_FFFF_FFF1, "lbu": 0xF1, "lh": 0xFFFF_FFFF_FFFF_F2F1, "lhu": 0xF2F1,
    "lw": 0xFFFF_FFFF_F4F3_F2F1, "lwu": 0xF4F3_F2F1, "ld": PATTERN,
}


@pytest.mark.parametrize("name", LOADS)
@pytest.mark.parametrize("offset", [0, 1, 29, 31, 4093, 4095 - 8 + 1])
def test_store_then_load_any_alignment(backend: str, name: str, offset: int) -> None:
    addr = RAM_BASE + 0x1000 + offset
    state = run(backend, [*li(5, addr), *li(6, PATTERN), s("sd", 6, 5, 0), i(name, 7, 5, 0), *yield_()])
    assert status(state) == 1
    assert x(state, 7) == EXPECTED[name]
    assert state.read(addr, 8) == PATTERN.to_bytes(8, "little")


@pytest.mark.parametrize(("name", "width"), [("sb", 1), ("sh", 2), ("sw", 4), ("sd", 8)])
def test_stores_write_only_their_width(backend: str, name: str, width: int) -> None:
    state = run(backend, [*li(5, S_BASE + 0x2FFF), *li(6, PATTERN), s(name, 6, 5, 0), *yield_()])
    assert state.read(S_BASE + 0x2FFF, 9) == PATTERN.to_bytes(8, "little")[:width].ljust(9, b"\0")


def test_negative_offsets_and_s_contents(backend: str) -> None:
    state = run(backend, [*li(5, S_BASE + 8), i("ld", 7, 5, -8), i("lbu", 8, 5, -1), *yield_()],
                s_bytes=bytes(range(1, 9)))
    assert x(state, 7) == 0x0807_0605_0403_0201
    assert x(state, 8) == 8


def test_rom_is_readable_text_and_rodata(backend: str) -> None:
    rodata = (0x1122_3344_5566_7788).to_bytes(8, "little")
    state = run(backend, [*li(5, ROM_BASE), i("lwu", 7, 5, 0), *li(6, ROM_BASE + 0x1000), i("ld", 8, 6, 0),
                          *yield_()], rodata=rodata)
    assert status(state) == 1
    assert x(state, 7) == int.from_bytes(state.read(ROM_BASE, 4), "little") != 0
    assert x(state, 8) == 0x1122_3344_5566_7788


@pytest.mark.parametrize(
    ("base", "size"), [(RAM_BASE, SMALL.ram_size), (S_BASE, SMALL.s_size)], ids=["ram", "s"]
)
def test_last_bytes_of_a_region_are_accessible(backend: str, base: int, size: int) -> None:
    end = base + size
    state = run(backend, [*li(5, end - 8), *li(6, M), s("sd", 6, 5, 0), i("lb", 7, 5, 7), *yield_()])
    assert status(state) == 1
    assert x(state, 7) == M


@pytest.mark.parametrize(
    ("addr", "name"),
    [
        (RAM_BASE + SMALL.ram_size - 4, "ld"),     # straddles the end of RAM
        (RAM_BASE - 1, "lb"),                     # just below RAM
        (S_BASE + SMALL.s_size, "lbu"),           # just past S
        (0x100, "ld"),                            # the shadow page is not guest-visible
        (0xC000_0000, "lb"),                      # nothing above ROM
        (ROM_BASE + 0x1000, "lw"),                # past rom_end (no rodata here)
        (M - 7, "ld"),                            # a 64-bit address outside the 32-bit space
        (1 << 32, "lb"),
    ],
)
def test_load_faults_and_changes_nothing(backend: str, addr: int, name: str) -> None:
    state = run(backend, [*li(5, addr), *li(7, 0x1234), i(name, 7, 5, 0), *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_LOAD, addr)
    assert x(state, 7) == 0x1234
    assert pc(state) == ROM_BASE + 4 * (len(li(5, addr)) + len(li(7, 0x1234)))


@pytest.mark.parametrize(
    ("addr", "name"),
    [
        (ROM_BASE, "sb"),                         # ROM is read-only
        (ROM_BASE - 8, "sd"),                     # top of the S window, beyond s_size
        (S_BASE + SMALL.s_size - 2, "sw"),        # straddles the end of S
        (0x0, "sd"),                              # the shadow page
        (RAM_BASE - 2, "sh"),
    ],
)
def test_store_faults_and_writes_nothing(backend: str, addr: int, name: str) -> None:
    state = run(backend, [*li(5, addr), *li(6, M), s(name, 6, 5, 0), *yield_()])
    assert status(state) == STATUS_FAULTED
    assert fault(state) == (CAUSE_STORE, addr)
    assert state.read(addr, 8) != b"\xff" * 8
