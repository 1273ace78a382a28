"""Differential on arbitrary machine states: the contract and the Python verifier agree on every step.

The states come from the same hypothesis strategy as the engines' totality test
(tests/emulator/shadow_pages.py, used by test_arbitrary_states.py): full 64-bit shadow fields with
RAM and S past their windows and overlapping ROM, text and rom_end past the top, text_start below
ROM, log2_window at 0, 1, 63, 64, pcs and registers at every window edge. From each state a few
steps are proven; both verifiers must accept each honest proof with the same post-root, and one
tampering of half of them (a random bit, the claimed post-root, a missing leaf, an extra leaf at a
window edge) must be rejected by both with the same kind. 30 states by default, 2,000 with -m slow.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # the shared strategies

from emu_harness import make  # noqa: E402
from onchain_checks import check_alike  # noqa: E402
from shadow_pages import ARBITRARY, PARAMS, Arbitrary, arbitrary_state, program_words  # noqa: E402

from emulator.proof import prove_step  # noqa: E402

STEPS = 3          # proven steps from each drawn state


def check_state(drawn: Arbitrary, rng: random.Random) -> None:
    """Prove STEPS steps from the drawn state; each verifies alike, half of them also tampered."""
    template = make(program_words(drawn[0]), PARAMS)
    state = arbitrary_state(template, drawn)
    for _ in range(STEPS):
        pre = state.copy()
        proof = prove_step(template, state)
        check_alike(pre, proof, template, rng if rng.random() < 1 / 2 else None)


@settings(max_examples=30, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(drawn=ARBITRARY, rng=st.randoms(use_true_random=False))
def test_arbitrary_states_verify_alike(drawn: Arbitrary, rng: random.Random) -> None:
    check_state(drawn, rng)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, phases=[Phase.explicit, Phase.generate])
@given(drawn=ARBITRARY, rng=st.randoms(use_true_random=False))
def test_many_arbitrary_states_verify_alike(drawn: Arbitrary, rng: random.Random) -> None:
    check_state(drawn, rng)
