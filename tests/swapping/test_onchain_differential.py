"""Differential: the contract and the Python replay give the same outcome on random steps and guest steps.

Random programs come from the lockstep generator of tests/emulator (every RV64IM opcode, loads and
stores in every region and across leaves, faults, ECALLs, random words); every step they run, an idle
tick and the clean are proven, and a random bit of one proof in three is flipped: both verifiers must
accept the honest proof with the same post-root and reject the flipped one with the same kind.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))   # rvasm, the generator

from onchain_checks import check_alike  # noqa: E402
from rv_programs import PROGRAM  # noqa: E402
from rvasm import assemble, li, yield_  # noqa: E402

from emulator.layout import RAM_BASE, ROM_BASE, S_BASE, SHADOW_CLOCK, SHADOW_STATUS, STATUS_RUNNING  # noqa: E402
from emulator.machine import make_machine  # noqa: E402
from emulator.proof import prove_step  # noqa: E402
from emulator.state import MachineState  # noqa: E402
from emulator.template import MachineParams, Template, template_from_code  # noqa: E402

PARAMS = MachineParams(log2_window=7, ram_size=1 << 13, s_size=1 << 13)
BODY_STEPS = 24          # proven steps per random program (after its prelude)
Program = tuple[list[int], list[list[int]]]
FIXTURE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"


def program(values: list[int], body: list[list[int]]) -> tuple[Template, int]:
    """The generator's program (pointers into RAM, S and ROM, four random registers); prelude length."""
    prelude = [*li(5, RAM_BASE + 0x100), *li(6, S_BASE + 0x80), *li(7, ROM_BASE)]
    for reg, value in zip((8, 9, 10, 11), values, strict=True):
        prelude += li(reg, value)
    words = [*prelude, *(w for group in body for w in group), *yield_()]
    return template_from_code(assemble(words), PARAMS), len(prelude)


def prove_steps(template: Template, state: MachineState, steps: int, rng: random.Random) -> MachineState:
    """Prove and check `steps` consecutive steps (tampering one in three); the state after them."""
    for _ in range(steps):
        pre = state.copy()
        check_alike(pre, prove_step(template, state), template, rng if rng.random() < 1 / 3 else None)
    return state


def run_to(template: Template, state: MachineState, clock: int) -> MachineState:
    """The state once the window clock reads `clock` (fast engine; idle steps in O(1))."""
    machine = make_machine("fast", template, state)
    machine.run(clock - state.read_u64(SHADOW_CLOCK))
    return machine.state()


def check_program(values: list[int], body: list[list[int]], rng: random.Random) -> None:
    """Body steps, one idle tick if the program halted, and the clean, each through both verifiers."""
    template, prelude = program(values, body)
    state = run_to(template, template.initial_state(b"\x11" * 40), prelude)
    for _ in range(BODY_STEPS):
        if state.read_u64(SHADOW_STATUS) != STATUS_RUNNING:
            break
        state = prove_steps(template, state, 1, rng)
    state = prove_steps(template, state, 1, rng)                       # running or idle
    state = run_to(template, state, (1 << PARAMS.log2_window) - 1)
    prove_steps(template, state, 1, rng)                               # the clean


@settings(max_examples=50, deadline=None, derandomize=True)
@given(PROGRAM, st.randoms(use_true_random=False))
def test_random_programs_verify_alike(prog: Program, rng: random.Random) -> None:
    check_program(*prog, rng)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(PROGRAM, st.randoms(use_true_random=False))
def test_many_random_programs_verify_alike(prog: Program, rng: random.Random) -> None:
    check_program(*prog, rng)


# --- the real guest ---------------------------------------------------------------------------------
def guest_steps(clocks: list[int]) -> None:
    """Prove the step at each clock of a fixture block's window (plus the yield, an idle tick, the clean)."""
    from fastvm.codec import encode
    from fastvm.fixtures import initial_state, load_file
    from swapping.guest_image import guest_image

    image = guest_image()
    template = image.template(25)
    s0 = encode(initial_state(load_file(FIXTURE / "ValidBlocks" / "bcExample" / "optionsTest.json")[0]))
    halted = make_machine("unicorn", template, template.initial_state(s0)).run_until_halt((1 << 25) - 1)
    rng = random.Random(7)
    window_end = (1 << 25) - 1
    for clock in sorted({*clocks, halted - 1, halted, window_end}):
        machine = make_machine("unicorn", template, template.initial_state(s0))
        machine.run(clock)
        state = machine.state()
        proof = prove_step(template, state.copy())
        check_alike(state, proof, template, rng)
        if clock == window_end:
            assert proof.post_root == template.window_root(state.node(25, 1))


def test_guest_steps_verify_alike() -> None:
    guest_steps([0, 1, 2, 3, 1000, 123_457, 2_000_001])


@pytest.mark.slow
def test_many_guest_steps_verify_alike() -> None:
    rng = random.Random(25)
    guest_steps(sorted(rng.randrange(20_000_000) for _ in range(200)))
