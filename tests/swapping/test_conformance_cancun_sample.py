"""A bounded, deterministic sample of the public Cancun set on A and AB (docs/conformance.md).

The sample: the first test of every 40th file of the whole set (sorted paths), of every 8th file of its
Cancun-specific part (Pyspecs/cancun) and of point_evaluation_precompile_calls; Cancun tests only
whose headers declare at most 10 M gas. Each test runs A against the fixture, and every block on AB
byte-equal to A's S'; the tests alternate between S version 1 and version 2 (on version 2 AB's oracle
is A's witness of the block alone), so both are covered in the time one took. Three of the set's 18
fork-transition tests (ShanghaiToCancunAtTime15k: the EIP-4788 system call, the excess blob gas and the
blob base fee across the fork time) run on S version 2, whose schedule holds them (spec §6.6).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.conformance import run_test
from fastvm.conformance_v2 import run_test_v2
from fastvm.fixtures import parse_test
from fastvm.state import Fork
from swapping.ab_check import TransitionCheck, ab_transition_check
from swapping.guest_image import guest_image

CANCUN = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "cancun" / "BlockchainTests"
PYSPECS = CANCUN / "GeneralStateTests" / "Pyspecs" / "cancun"
WHOLE_STRIDE, PYSPECS_STRIDE = 40, 8
MAX_DECLARED_GAS = 10_000_000   # keeps the sample within a minute: 50,000-call tests take minutes on A
TRANSITIONS = (   # (file under Pyspecs/cancun, a word of the test's name)
    ("eip4788_beacon_root/beacon_root_transition.json", "fork_transition"),
    ("eip4844_blobs/fork_transition_excess_blob_gas.json", "target_blobs"),
    ("eip7516_blobgasfee/blobbasefee_during_fork.json", "blockchain_test"),
)

def sample_files() -> list[Path]:
    """The sampled files, sorted, without repeats (and every point-evaluation file of Pyspecs/cancun)."""
    whole = sorted(CANCUN.rglob("*.json"))[::WHOLE_STRIDE]
    specs = sorted(PYSPECS.rglob("*.json"))[::PYSPECS_STRIDE]
    point = PYSPECS / "eip4844_blobs" / "point_evaluation_precompile_calls.json"
    return sorted(set(whole) | set(specs) | {point})


def declared_gas(body: dict) -> int:
    """The gas a test's block headers declare in all (an invalid block's may be anything)."""
    return sum(int(block.get("blockHeader", {}).get("gasUsed", "0x0"), 16) for block in body["blocks"])


def _cases() -> list:
    """(file, first Cancun test's name, S version) for every sampled file that has one."""
    cases = []
    for path in sample_files():
        tests = json.loads(path.read_text())
        name = next((n for n, body in tests.items()
                     if body["network"] == "Cancun" and declared_gas(body) <= MAX_DECLARED_GAS), None)
        if name is None:
            continue
        version = 1 + len(cases) % 2
        where = path.relative_to(CANCUN).as_posix()
        cases.append(pytest.param(path, name, version, id=f"{where}/v{version}"))
    return cases


CASES = _cases() if CANCUN.is_dir() else []


@pytest.fixture(scope="module")
def check() -> TransitionCheck:
    """AB as a transition check, with the guest built once."""
    return ab_transition_check(guest_image())


def test_the_sample_is_present() -> None:
    assert len(CASES) >= 70, f"expected the Cancun set under {CANCUN}"


@pytest.mark.parametrize(("path", "name", "version"), CASES)
def test_a_and_ab_pass(path: Path, name: str, version: int, check: TransitionCheck) -> None:
    test = parse_test(name, json.loads(path.read_text())[name], str(path))
    result = run_test(test, (check,)) if version == 1 else run_test_v2(test, (check,))
    assert result.ok, result.reason


def _transition(rel: str, word: str):  # noqa: ANN202 - a FixtureTest
    """The transition test of a file whose name contains word."""
    path = PYSPECS / rel
    name = next(n for n in json.loads(path.read_text()) if word in n and "ShanghaiToCancunAtTime15k" in n)
    return parse_test(name, json.loads(path.read_text())[name], str(path))


@pytest.mark.skipif(not CANCUN.is_dir(), reason="the Cancun set is not present")
@pytest.mark.parametrize(("rel", "word"), TRANSITIONS, ids=[rel.split("/")[1] for rel, _ in TRANSITIONS])
def test_a_transition_passes_on_version_2(rel: str, word: str, check: TransitionCheck) -> None:
    test = _transition(rel, word)
    assert [fork for fork, _time in test.schedule] == [Fork.SHANGHAI, Fork.CANCUN]
    result = run_test_v2(test, (check,))
    assert result.ok and not result.reason_mismatches, result.reason
