"""Machine AB on every test of the quick fixture sample: each block's S' byte-equal to machine A's.

One generated test per fixture test. Whether A itself matches the fixture is tested in
tests/fastvm/test_a_fixtures.py; here AB must reproduce A exactly, so no test is exempt. All 403
run by default (about 70 s on 2 cores).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.codec import encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from swapping.ab_check import TransitionCheck, ab_transition_check
from swapping.guest_image import guest_image

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"


def _cases() -> list:
    """(file, test name) for every test of the sample."""
    cases = []
    for path in sorted(FIXTURES.rglob("*.json")):
        for name in json.loads(path.read_text()):
            cases.append(pytest.param(path, name, id=f"{path.parent.name}/{name}"))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def check() -> TransitionCheck:
    """AB as a transition check, with the guest built once."""
    return ab_transition_check(guest_image())


def test_the_sample_is_present() -> None:
    assert len(CASES) == 403, f"expected the 403-test quick sample under {FIXTURES}"


@pytest.mark.parametrize(("path", "name"), CASES)
def test_every_block_on_ab_leaves_a_s_prime(path: Path, name: str, check: TransitionCheck) -> None:
    test = next(t for t in load_file(path) if t.name == name)
    machine, state = Machine(), initial_state(test)
    for index in range(len(test.blocks)):
        before = encode(state)
        state, info = machine.step(state)
        verdict = check(before, info.image)
        assert verdict is None, f"block {index + 1} ({info.status.name.lower()}): {verdict}"
