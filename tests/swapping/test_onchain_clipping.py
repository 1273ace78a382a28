"""Regression: the contract clips RAM, S, ROM and text to their windows (spec §2.8), as the reference does.

Each case is a hand-built shadow page from issue 12 (a region or text reaching past its window, text
below ROM, log2_window at its extremes). The reference's outcome is asserted (it is the spec), both
verifiers must accept its honest proof alike, and the proof of the *unclipped* step (the drifted
rule, made by running the reference with the clipping removed) must be rejected by both alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # the shared strategies

from emu_harness import make  # noqa: E402
from onchain_checks import assert_alike  # noqa: E402
from rvasm import i, s  # noqa: E402
from shadow_pages import PARAMS, arbitrary_state, program_words  # noqa: E402

import emulator.isa.core as isa_core  # noqa: E402
import emulator.step as reference_step  # noqa: E402
from emulator.layout import (  # noqa: E402
    CAUSE_FETCH,
    CAUSE_LOAD,
    CAUSE_STORE,
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    SHADOW_CAUSE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_STATUS,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
    STATUS_FAULTED,
    STATUS_RUNNING,
    TOP_BASE,
)
from emulator.proof import prove_step  # noqa: E402
from emulator.state import MachineState  # noqa: E402
from emulator.template import Template  # noqa: E402

LB = i("lb", 1, 5, 0)            # lb x1, 0(x5)
LD = i("ld", 1, 5, 0)            # ld x1, 0(x5)
SD = s("sd", 6, 5, 0)            # sd x6, 0(x5)
ADDI = i("addi", 1, 1, 1)        # addi x1, x1, 1
NOT_CLEAN = {SHADOW_CLOCK: 0, SHADOW_LOG2_WINDOW: 6}
OK = (STATUS_RUNNING, 0)

# name: (word at pc, shadow fields, registers, the reference's (status, cause) after the step)
CASES: dict[str, tuple[int, dict[int, int], dict[int, int], tuple[int, int]]] = {
    "load from S through RAM grown into S (the issue's example)":
        (LB, {SHADOW_RAM_SIZE: 0x2000_1000, SHADOW_S_SIZE: 0}, {5: S_BASE}, (STATUS_FAULTED, CAUSE_LOAD)),
    "store into S through RAM grown into S":
        (SD, {SHADOW_RAM_SIZE: 0x2000_1000, SHADOW_S_SIZE: 0}, {5: S_BASE + 8},
         (STATUS_FAULTED, CAUSE_STORE)),
    "store into ROM through S grown into ROM":
        (SD, {SHADOW_S_SIZE: 0x4000_1000}, {5: ROM_BASE}, (STATUS_FAULTED, CAUSE_STORE)),
    "store into ROM through RAM grown into ROM":
        (SD, {SHADOW_RAM_SIZE: 0x6000_1000, SHADOW_S_SIZE: 0}, {5: ROM_BASE + 16},
         (STATUS_FAULTED, CAUSE_STORE)),
    "store straddling S into ROM":
        (SD, {SHADOW_S_SIZE: 0x4000_1000}, {5: ROM_BASE - 4}, (STATUS_FAULTED, CAUSE_STORE)),
    "load straddling S into ROM (both readable)":
        (LD, {SHADOW_S_SIZE: 0x4000_1000}, {5: ROM_BASE - 4}, OK),
    "load past the top through rom_end past the top":
        (LB, {SHADOW_ROM_END: TOP_BASE + 0x1000}, {5: TOP_BASE}, (STATUS_FAULTED, CAUSE_LOAD)),
    "load straddling the top":
        (LD, {SHADOW_ROM_END: TOP_BASE + 0x1000}, {5: TOP_BASE - 4}, (STATUS_FAULTED, CAUSE_LOAD)),
    "load of ROM's last word with rom_end past the top":
        (LD, {SHADOW_ROM_END: (1 << 64) - 1}, {5: TOP_BASE - 8}, OK),
    "load with every size at u64 max":
        (LD, {SHADOW_RAM_SIZE: (1 << 64) - 1, SHADOW_S_SIZE: (1 << 64) - 1}, {5: ROM_BASE + 0x1000},
         (STATUS_FAULTED, CAUSE_LOAD)),
    "RAM exactly up to S, straddling load into S":
        (LD, {SHADOW_RAM_SIZE: S_BASE - RAM_BASE, SHADOW_S_SIZE: 0x1000}, {5: S_BASE - 4}, OK),
    "code run from RAM (text_start below ROM)":
        (ADDI, {SHADOW_TEXT_START: RAM_BASE, SHADOW_PC: RAM_BASE + 0x100, SHADOW_RAM_SIZE: 0x1000}, {},
         (STATUS_FAULTED, CAUSE_FETCH)),
    "code run from S (text_start below ROM)":
        (ADDI, {SHADOW_TEXT_START: S_BASE, SHADOW_PC: S_BASE + 0x80}, {}, (STATUS_FAULTED, CAUSE_FETCH)),
    "code run from the shadow page (text_start 0)":
        (ADDI, {SHADOW_TEXT_START: 0, SHADOW_PC: 8}, {1: ADDI}, (STATUS_FAULTED, CAUSE_FETCH)),
    "code run from S's last word below ROM":
        (ADDI, {SHADOW_TEXT_START: S_BASE, SHADOW_PC: ROM_BASE - 4}, {}, (STATUS_FAULTED, CAUSE_FETCH)),
    "code run past the top (text_end past the top)":
        (ADDI, {SHADOW_TEXT_END: TOP_BASE + 8, SHADOW_PC: TOP_BASE}, {}, (STATUS_FAULTED, CAUSE_FETCH)),
    "ROM's last word runs with text_end past the top":
        (ADDI, {SHADOW_TEXT_END: (1 << 64) - 1, SHADOW_PC: TOP_BASE - 4}, {}, OK),
    "log2_window 0: the clean at clock 0":
        (ADDI, {SHADOW_LOG2_WINDOW: 0, SHADOW_CLOCK: 0}, {}, OK),
    "log2_window 64: no clean at clock 2^64 - 1":
        (ADDI, {SHADOW_LOG2_WINDOW: 64, SHADOW_CLOCK: (1 << 64) - 1}, {}, OK),
}


def unclipped_regions(ram_size: int, s_size: int, rom_end: int, writable: bool) -> list[tuple[int, int]]:
    """The drifted rule: RAM, S and ROM as the shadow page says, not clipped to their windows."""
    allowed = [(RAM_BASE, RAM_BASE + ram_size), (S_BASE, S_BASE + s_size)]
    return allowed if writable else [*allowed, (ROM_BASE, rom_end)]


def state_of(case: str) -> tuple[Template, MachineState]:
    """The template and the hand-built pre-state of a case."""
    word, fields, registers, _ = CASES[case]
    template = make(program_words(([1, 2, 3, 4], [[ADDI]])), PARAMS)
    return template, arbitrary_state(template, (([1, 2, 3, 4], []), {**NOT_CLEAN, **fields}, registers, word))


@pytest.mark.parametrize("case", list(CASES))
def test_the_contract_clips_like_the_reference(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    template, pre = state_of(case)
    honest_state = pre.copy()
    honest = prove_step(template, honest_state)
    assert (honest_state.read_u64(SHADOW_STATUS), honest_state.read_u64(SHADOW_CAUSE)) == CASES[case][3]
    assert assert_alike(honest.to_bytes(), template).post_root == honest.post_root

    with monkeypatch.context() as patch:            # the reference step without §2.8's clipping
        patch.setattr(isa_core, "regions", unclipped_regions)
        patch.setattr(reference_step, "ROM_BASE", 0)
        patch.setattr(reference_step, "TOP_BASE", 1 << 65)
        drifted = prove_step(template, pre.copy())
    # Every fault here is the clipping's doing: unclipped, the step runs on and the claim differs.
    assert (drifted.post_root != honest.post_root) == (CASES[case][3] != OK)
    if drifted.post_root != honest.post_root:       # and that claim is the liar's: both verifiers refuse it
        assert assert_alike(drifted.to_bytes(), template).kind is not None, "the unclipped step was accepted"


def test_the_cases_widen_every_clipped_bound() -> None:
    widened = {offset for _, fields, _, _ in CASES.values() for offset in fields}
    assert {SHADOW_RAM_SIZE, SHADOW_S_SIZE, SHADOW_ROM_END, SHADOW_TEXT_START, SHADOW_TEXT_END} <= widened
