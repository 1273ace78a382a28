"""Differential: random programs over all RV64IM opcodes, branches, loads/stores and faults run in
lockstep on every available backend; the roots agree after every single step (and across the clean)."""

from __future__ import annotations

import pytest
from hypothesis import Phase, given, settings
from rv_programs import PROGRAM, SMALL_MACHINE, Program, program_words
from rvasm import assemble

from emulator.machine import differing_fields, make_machine
from emulator.template import template_from_code

PARAMS = SMALL_MACHINE


def backends() -> list[str]:
    """Every engine: the reference, the fast Python engine and Unicorn."""
    return ["reference", "fast", "unicorn"]


def lockstep_every_step(program: Program, steps: int) -> None:
    """Run the program on all backends one step at a time; fail at the first root that differs."""
    template = template_from_code(assemble(program_words(program)), PARAMS)
    s_bytes = b"\x11" * 40
    machines = {name: make_machine(name, template, template.initial_state(s_bytes)) for name in backends()}
    for step_number in range(steps):
        for machine in machines.values():
            assert machine.run(1) == 1
        roots = {name: machine.root() for name, machine in machines.items()}
        odd = [name for name, root in roots.items() if root != roots["reference"]]
        if odd:
            diff = differing_fields(machines["reference"].state(), machines[odd[0]].state())
            pytest.fail(f"step {step_number}: {odd[0]} differs from reference; fields {diff}")


# No shrinking here: a shrink over three engines can take minutes; the slow variant below shrinks.
@settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(PROGRAM)
def test_random_programs_agree_after_every_step(program: Program) -> None:
    lockstep_every_step(program, (1 << PARAMS.log2_window) + 8)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(PROGRAM)
def test_many_random_programs_agree(program: Program) -> None:
    lockstep_every_step(program, (1 << PARAMS.log2_window) + 8)
