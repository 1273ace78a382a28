"""The Unicorn engine against the reference step: the cases where raw Unicorn would differ, exact
step counts, windows (idle fast-forward and the clean), and the bundled example programs."""

from __future__ import annotations

import faulthandler

import pytest
from rvasm import ECALL, assemble, i, jal, li, s, yield_

from emulator.errors import SwapvmError
from emulator.image import template_from_image
from emulator.layout import (
    CAUSE_FETCH,
    CAUSE_ILLEGAL,
    CAUSE_LOAD,
    CAUSE_MISALIGNED_TARGET,
    CAUSE_STORE,
    RAM_BASE,
    S_BASE,
    SHADOW_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_PC,
    SHADOW_STATUS,
    SHADOW_TVAL,
    SHADOW_X,
    STATUS_FAULTED,
    STATUS_RUNNING,
    STATUS_YIELDED,
)
from emulator.machine import make_machine
from emulator.template import MachineParams, Template, template_from_code
from toolchain.build import example_image

PARAMS = MachineParams(log2_window=12, ram_size=1 << 14, s_size=1 << 14)
RA, T0, T1, A0 = 1, 5, 6, 10


def both(template: Template, s_bytes: bytes = b"") -> tuple:
    """A reference machine and a Unicorn machine on the same fresh state, and their debug outputs."""
    outputs: dict[str, list[bytes]] = {"reference": [], "unicorn": []}
    ref = make_machine("reference", template, template.initial_state(s_bytes),
                       lambda fd, data: outputs["reference"].append(data))
    uni = make_machine("unicorn", template, template.initial_state(s_bytes))
    uni.output = lambda fd, data: outputs["unicorn"].append(data)
    return ref, uni, outputs


def field(machine, offset: int) -> int:
    """A shadow field of a machine's current state."""
    return machine.state().read_u64(SHADOW_BASE + offset)


def run_both_until_halt(template: Template, s_bytes: bytes = b"", limit: int = 10_000) -> tuple:
    """Run both engines until they halt; the step counts and roots must agree."""
    ref, uni, outputs = both(template, s_bytes)
    assert uni.run_until_halt(limit) == ref.run_until_halt(limit)
    assert uni.root() == ref.root()
    assert outputs["unicorn"] == outputs["reference"]
    return ref, uni


def test_misaligned_jal_faults_at_the_jump_and_keeps_the_link_register() -> None:
    code = [*li(RA, 0x1234), *li(T0, RAM_BASE), s("sd", RA, T0, 8), jal(RA, 6), *yield_()]
    template = template_from_code(assemble(code), PARAMS)
    ref, uni = run_both_until_halt(template)
    jump_pc = template.entry + 4 * (len(code) - len(yield_()) - 1)
    assert field(uni, SHADOW_STATUS) == STATUS_FAULTED
    assert field(uni, SHADOW_CAUSE) == CAUSE_MISALIGNED_TARGET
    assert field(uni, SHADOW_TVAL) == jump_pc + 6
    assert field(uni, SHADOW_PC) == jump_pc
    assert field(uni, SHADOW_X + 8 * RA) == 0x1234
    assert uni.state().read_u64(RAM_BASE + 8) == 0x1234     # the store before the jump survives the replay


def test_misaligned_jalr_outside_text_is_a_misaligned_target_not_a_fetch_fault() -> None:
    code = [*li(RA, 7), *li(T0, 0xC000_0002), i("jalr", RA, T0, 0), *yield_()]
    template = template_from_code(assemble(code), PARAMS)
    _, uni = run_both_until_halt(template)
    assert field(uni, SHADOW_CAUSE) == CAUSE_MISALIGNED_TARGET
    assert field(uni, SHADOW_TVAL) == 0xC000_0002
    assert field(uni, SHADOW_X + 8 * RA) == 7


def test_store_straddling_the_end_of_s_faults_and_writes_nothing() -> None:
    end = S_BASE + PARAMS.s_size
    code = [*li(T0, end - 4), *li(T1, -1), s("sd", T1, T0, 0), *yield_()]
    template = template_from_code(assemble(code), PARAMS)
    ref, uni, _ = both(template, b"\x5a" * PARAMS.s_size)
    assert uni.run_until_halt(100) == ref.run_until_halt(100)
    assert field(uni, SHADOW_CAUSE) == CAUSE_STORE and field(uni, SHADOW_TVAL) == end - 4
    assert uni.state().read(end - 4, 4) == b"\x5a" * 4
    assert uni.root() == ref.root()


@pytest.mark.parametrize(
    ("address", "size", "cause"),
    [
        (RAM_BASE + PARAMS.ram_size - 8, "ld", None),
        (RAM_BASE + PARAMS.ram_size - 4, "ld", CAUSE_LOAD),
        (RAM_BASE - 1, "lb", CAUSE_LOAD),
        (S_BASE + PARAMS.s_size - 1, "lbu", None),
        (S_BASE + PARAMS.s_size, "lb", CAUSE_LOAD),
        (SHADOW_BASE, "ld", CAUSE_LOAD),
        (0x8000_0000, "lw", None),
        (0x8000_0000 + 4096, "lw", CAUSE_LOAD),
        (0xC000_0000, "lw", CAUSE_LOAD),
    ],
)
def test_loads_at_region_edges(address: int, size: str, cause: int | None) -> None:
    code = [*li(T0, address), i(size, A0, T0, 0), *yield_()]
    template = template_from_code(assemble(code), PARAMS)
    _, uni = run_both_until_halt(template, b"\x77" * 64)
    if cause is None:
        assert field(uni, SHADOW_STATUS) == STATUS_YIELDED
    else:
        assert field(uni, SHADOW_CAUSE) == cause and field(uni, SHADOW_TVAL) == address


def test_falling_off_the_end_of_text_is_a_fetch_fault() -> None:
    template = template_from_code(assemble([i("addi", A0, 0, 1)] * 1024), PARAMS)   # one full page
    _, uni = run_both_until_halt(template)
    assert field(uni, SHADOW_CAUSE) == CAUSE_FETCH and field(uni, SHADOW_TVAL) == template.text_end


def test_jump_to_address_zero_is_a_fetch_fault() -> None:
    template = template_from_code(assemble([i("jalr", RA, 0, 0), *yield_()]), PARAMS)
    _, uni = run_both_until_halt(template)
    assert field(uni, SHADOW_CAUSE) == CAUSE_FETCH and field(uni, SHADOW_TVAL) == 0


@pytest.mark.parametrize(
    "word",
    [0x0001_0001, 0xC000_2573, 0x0000_0001, 0x1000_252F, 0x0220_7053, 0x0000_0000, 0x3020_0073],
)
def test_words_unicorn_would_run_fault_as_illegal_at_the_exact_step(word: int) -> None:
    code = [*li(A0, 3), i("addi", A0, A0, 1), word, i("addi", A0, A0, 1), *yield_()]
    template = template_from_code(assemble(code), PARAMS)
    _, uni = run_both_until_halt(template)
    assert field(uni, SHADOW_CAUSE) == CAUSE_ILLEGAL and field(uni, SHADOW_TVAL) == word
    for k in range(1, len(code) + 2):                   # every exact stop around the hazard
        ref, uni, _ = both(template)
        assert uni.run(k) == ref.run(k) == k
        assert uni.root() == ref.root()


def test_exact_step_counts_on_a_real_image() -> None:
    template = template_from_image(example_image("hello"), MachineParams(log2_window=10))
    for k in (1, 2, 3, 17, 100, 169, 170, 171, 1023, 1024, 1025, 2500):
        ref, uni, _ = both(template)
        assert uni.run(k) == ref.run(k) == k
        assert uni.root() == ref.root(), k


def test_lockstep_one_step_at_a_time_with_debug_output() -> None:
    template = template_from_image(example_image("hello"), MachineParams(log2_window=9))
    ref, uni, outputs = both(template)
    for step_number in range(600):
        assert uni.run(1) == ref.run(1) == 1
        assert uni.root() == ref.root(), step_number
    assert outputs["unicorn"] == outputs["reference"] == [b"hello from machine AB\n"] * 2


@pytest.mark.parametrize("mode", range(9))
def test_fault_example_matches_the_reference(mode: int) -> None:
    template = template_from_image(example_image("fault"))
    ref, uni = run_both_until_halt(template, mode.to_bytes(8, "little"))
    assert field(uni, SHADOW_STATUS) != STATUS_RUNNING


def test_a_window_idles_in_constant_time_and_ends_in_the_clean() -> None:
    template = template_from_image(example_image("keccak_loop"), MachineParams(log2_window=40))
    s_bytes = (1).to_bytes(8, "little")
    ref, uni, _ = both(template, s_bytes)
    halted = uni.run_until_halt(1 << 40)
    assert halted == ref.run_until_halt(1 << 40)
    assert uni.run((1 << 40) - halted) == (1 << 40) - halted          # idle, then the clean: O(1)
    s_root = uni.state().node(25, 1)
    assert uni.root() == template.window_root(s_root)
    assert field(uni, SHADOW_CLOCK) == 0 and field(uni, SHADOW_PC) == template.entry
    assert uni.state().read(RAM_BASE, 4096) == bytes(4096)
    ref.run((1 << 40) - halted)
    assert uni.root() == ref.root()


def test_several_windows_in_one_run_match_the_reference() -> None:
    template = template_from_image(example_image("hello"), MachineParams(log2_window=9))
    ref, uni, outputs = both(template)
    steps = 3 * 512 + 77
    assert uni.run(steps) == ref.run(steps) == steps
    assert uni.root() == ref.root()
    assert len(outputs["unicorn"]) == len(outputs["reference"]) == 4


def test_a_fault_replay_does_not_repeat_debug_output() -> None:
    template = template_from_image(example_image("fault"))
    ref, uni, outputs = both(template, (2).to_bytes(8, "little"))       # write, then a misaligned call
    assert uni.run(5000) == ref.run(5000)
    assert field(uni, SHADOW_CAUSE) == CAUSE_MISALIGNED_TARGET
    assert outputs["unicorn"] == outputs["reference"] == [b"fault\n"]


def test_only_written_pages_are_brought_back() -> None:
    code = [*li(T0, S_BASE + 3 * 4096), s("sd", T0, T0, 0), ECALL]
    template = template_from_code(assemble([*code[:-1], *yield_()]), PARAMS)
    uni = make_machine("unicorn", template, template.initial_state(b"\x01" * 4096 * 4))
    uni.state().root()                                  # nothing dirty from here on
    uni.run_until_halt(100)
    changed = {n << 12 for n in uni.state().dirty}
    assert changed == {SHADOW_BASE, S_BASE + 3 * 4096}


def test_a_state_of_another_template_is_refused() -> None:
    code = assemble(yield_())
    other = template_from_code(code, MachineParams(ram_size=1 << 13))
    with pytest.raises(SwapvmError, match="shadow bounds"):
        make_machine("unicorn", template_from_code(code, PARAMS), other.initial_state())


def test_dirty_tracking_survives_a_fault_handler_installed_later() -> None:
    template = template_from_image(example_image("hello"))
    ref, uni, _ = both(template)
    was_enabled = faulthandler.is_enabled()
    faulthandler.disable()
    faulthandler.enable()          # installs Python's SIGSEGV handler again, on top of the engine's
    try:
        assert uni.run_until_halt(1000) == ref.run_until_halt(1000)
    finally:
        if not was_enabled:
            faulthandler.disable()
    assert uni.root() == ref.root()
