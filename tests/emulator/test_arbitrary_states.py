"""The step is total: on any shadow page a prover could choose (fields far outside what a template
produces; strategies in shadow_pages.py), the reference and fast engines agree and every step
proves and verifies."""

from __future__ import annotations

from emu_harness import make
from hypothesis import Phase, given, settings
from shadow_pages import ARBITRARY, PARAMS, Arbitrary, arbitrary_state, program_words

from emulator.machine import make_machine
from emulator.proof import prove_step, verify


@settings(max_examples=60, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(drawn=ARBITRARY)
def test_engines_and_proofs_agree_on_any_shadow_page(drawn: Arbitrary) -> None:
    template = make(program_words(drawn[0]), PARAMS)
    states = [arbitrary_state(template, drawn) for _ in range(3)]
    reference = make_machine("reference", template, states[0])
    fast = make_machine("fast", template, states[1])
    proven = states[2]
    for _ in range(12):
        proof = prove_step(template, proven)
        assert verify(proof, template) == proven.root()
        reference.run(1)
        fast.run(1)
        assert reference.root() == fast.root() == proven.root()
