"""A machine game over preimage reads (ECALL 1001): the parties' machines read the oracle, the proofs
at the disputed oracle step carry the preimage, and both the Python referee and the contract judge it."""

from __future__ import annotations

import random

import pytest

from emulator.image import template_from_image
from emulator.isa.system import ECALL_WORD
from emulator.layout import ECALL_PREIMAGE, SHADOW_PC, SHADOW_X
from emulator.machine import make_machine
from emulator.merkle import keccak
from emulator.oracle import DictOracle
from emulator.template import MachineParams, Template
from swapping.dispute.cli import onchain_verifier
from swapping.dispute.game import machine_game
from swapping.dispute.lies import LieSpec
from toolchain.build import example_image

A = 13                                          # 2^13 steps: 64 bytes read in pieces, then the yield
PREIMAGE = bytes(random.Random(5).randrange(256) for _ in range(64))


@pytest.fixture(scope="module")
def template() -> Template:
    """oracle_read under a 2^A-step window."""
    return template_from_image(example_image("oracle_read"), MachineParams(log2_window=A))


def oracle_steps(template: Template, oracle: DictOracle) -> list[int]:
    """The step numbers of the example's preimage reads."""
    machine = make_machine("fast", template, template.initial_state(keccak(PREIMAGE)), oracle=oracle)
    found = []
    for step in range(1 << A):
        state = machine.state()
        pc = state.read_u64(SHADOW_PC)
        word = state.read_u64(pc) & 0xFFFF_FFFF if pc else 0
        if word == ECALL_WORD and state.read_u64(SHADOW_X + 8 * 17) == ECALL_PREIMAGE:
            found.append(step)
        if machine.run_until_halt(1) == 0:
            break
    return found


@pytest.mark.parametrize("liar", ["challenger", "proposer"])
def test_a_lie_at_an_oracle_step_loses_under_the_python_referee(template: Template, liar: str) -> None:
    oracle = DictOracle([PREIMAGE])
    steps = oracle_steps(template, oracle)
    assert len(steps) >= 3
    for step in (steps[0], steps[-1]):
        result = machine_game(template, template.initial_state(keccak(PREIMAGE)), A, LieSpec("step", 0, step),
                              liar=liar, backend="fast", oracle=oracle)
        assert result.honest_won and result.verdict.position == step, result.verdict
        final = result.transcript.final
        honest = "proposer" if liar == "challenger" else "challenger"
        assert final is not None and final["proofs"][honest]["outcome"] == "valid"


def test_the_contract_judges_an_oracle_step(template: Template) -> None:
    oracle = DictOracle([PREIMAGE])
    step = oracle_steps(template, oracle)[1]
    gas: list[int] = []
    result = machine_game(template, template.initial_state(keccak(PREIMAGE)), A, LieSpec("step", 0, step),
                          backend="fast", verifier=onchain_verifier(gas), oracle=oracle)
    assert result.honest_won and result.verdict.position == step
    assert gas and max(gas) <= 300_000
