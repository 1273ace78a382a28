"""The step is total: on any shadow page a prover could choose (fields far outside what a template
produces), the reference and fast engines agree and every step proves and verifies."""

from __future__ import annotations

from emu_harness import make
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from rv_programs import PROGRAM, Program, program_words

from emulator.layout import (
    ROM_BASE,
    SHADOW_CLOCK,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_STATUS,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
)
from emulator.machine import make_machine
from emulator.proof import prove_step, verify
from emulator.template import MachineParams

PARAMS = MachineParams(log2_window=6, ram_size=1 << 13, s_size=1 << 13)
U64 = st.integers(0, (1 << 64) - 1)
U32 = st.integers(0, (1 << 32) + 64)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        SHADOW_PC: st.one_of(st.integers(ROM_BASE, ROM_BASE + 64).map(lambda v: v & ~3), U64, U32),
        SHADOW_CLOCK: st.one_of(st.integers(60, 70), U64),
        SHADOW_STATUS: st.one_of(st.integers(0, 3), U64),
        SHADOW_LOG2_WINDOW: st.one_of(st.integers(0, 70), U64),
        SHADOW_TEXT_START: st.one_of(U32, U64),
        SHADOW_TEXT_END: st.one_of(U32, U64),
        SHADOW_ROM_END: st.one_of(U32, U64),
        SHADOW_RAM_SIZE: st.one_of(U32, U64),
        SHADOW_S_SIZE: st.one_of(U32, U64),
    },
)


@settings(max_examples=60, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(program=PROGRAM, fields=FIELDS)
def test_engines_and_proofs_agree_on_any_shadow_page(program: Program, fields: dict[int, int]) -> None:
    template = make(program_words(program), PARAMS)
    states = [template.initial_state(b"\x33" * 40) for _ in range(3)]
    for state in states:
        for offset, value in fields.items():
            state.write_u64(offset, value)
    reference = make_machine("reference", template, states[0])
    fast = make_machine("fast", template, states[1])
    proven = states[2]
    for _ in range(12):
        proof = prove_step(template, proven)
        assert verify(proof, template) == proven.root()
        reference.run(1)
        fast.run(1)
        assert reference.root() == fast.root() == proven.root()
