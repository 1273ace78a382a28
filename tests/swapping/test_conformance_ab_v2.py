"""AB in conformance on S version 2 (spec §6.6): with A, its oracle is A's witness of the block alone;
alone, the test's store of the pre-state world and the inbox, its final state root against the fixture's."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.merkle import keccak
from emulator.oracle import Hints
from fastvm.codec_v2 import encode_v2
from fastvm.conformance import Finding, StepFailure
from fastvm.conformance_v2 import run_test_v2
from fastvm.export_v2 import ExporterV2
from fastvm.fixtures import initial_state_v2, load_file
from fastvm.preimages import PreimageStore
from fastvm.witness import Witness
from swapping.ab_check import ABStepperV2, TransitionCheck, ab_transition_check
from swapping.cli import main
from swapping.guest_image import GuestImage, guest_image

ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
SIMPLE = QUICK / "ValidBlocks" / "bcValidBlockTest" / "SimpleTx.json"
BAD_BLOCKS = QUICK / "InvalidBlocks" / "bcEIP1559" / "badBlocks.json"
LOG_REVERT = QUICK / "ValidBlocks" / "bcStateTests" / "logRevert.json"
RECALL = QUICK / "ValidBlocks" / "bcValidBlockTest" / "RecallSuicidedContract.json"
RECREATE = QUICK / "GeneralStateTests" / "Pyspecs" / "constantinople" / "create2" / "recreate.json"
CANCUN = ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests"
PYSPECS = CANCUN / "GeneralStateTests" / "Pyspecs" / "cancun"
BEACON = PYSPECS / "eip4788_beacon_root" / "beacon_root_transition.json"


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The guest, built once."""
    return guest_image()


@pytest.fixture(scope="module")
def check(image: GuestImage) -> TransitionCheck:
    """AB as a transition check."""
    return ab_transition_check(image)


def report(tmp_path: Path, *args: str) -> tuple[int, dict]:
    """Exit code and JSON report of `conformance evm --s-version 2`."""
    out = tmp_path / f"report{len(list(tmp_path.iterdir()))}.json"
    argv = ["conformance", "evm", *args, "--s-version", "2", "--jobs", "1", "--quiet", "--json", str(out)]
    code = main(argv)
    return code, json.loads(out.read_text())


def test_a_and_ab_pass_a_transition_test_on_the_witness_alone(check: TransitionCheck) -> None:
    test = load_file(BEACON)[0]
    result = run_test_v2(test, (check,))
    assert result.ok, result.reason


def test_a_witness_without_a_node_stops_ab_naming_the_key(check: TransitionCheck) -> None:
    test = load_file(SIMPLE)[0]
    store = PreimageStore()
    state = initial_state_v2(test, store)
    after, info, witness = ExporterV2(store).export(state)
    assert info is not None and check(encode_v2(state), info.image, witness) is None
    dropped = witness.state[-1]
    short = Witness(witness.state[:-1], witness.codes, witness.keys, witness.headers)
    verdict = check(encode_v2(state), info.image, short)
    assert verdict == f"AB stopped: preimage oracle: no preimage for key 0x{keccak(dropped).hex()}"
    differs = check(encode_v2(state), encode_v2(state), witness)   # as if A had left S unchanged
    assert isinstance(differs, Finding) and differs.text.startswith("AB's S' differs from A's")
    assert after != state and differs.differences


def test_the_command_checks_ab_on_as_witness_for_every_block(tmp_path: Path) -> None:
    code, result = report(tmp_path, str(BEACON), str(SIMPLE), "--machines", "a,ab")
    assert code == 0 and result["passed"] == result["total"] == 2 and result["s_version"] == 2


def test_ab_alone_runs_multi_block_tests_on_its_hints(tmp_path: Path) -> None:
    """Each of these tests has a block that reads a node or code an earlier block created (without the
    guest's hints they were `cannot run`): the hints kept in the store after each window supply it."""
    code, result = report(tmp_path, str(BAD_BLOCKS), str(LOG_REVERT), str(RECALL), str(RECREATE),
                          "--machines", "ab")
    assert code == 0 and result["passed"] == result["total"] == 5, [t["reason"] for t in result["tests"]]
    assert all(t["blocks"] > 1 for t in result["tests"] if "badBlocks" not in t["path"])


class TamperedHints(Hints):
    """Hints as a faulty (or hostile) host channel would deliver them: the first byte of each flipped."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[bytes] = []   # every payload handed to the store

    def output(self, fd: int, data: bytes) -> None:
        """Keep the payload with its first byte flipped."""
        super().output(fd, bytes([data[0] ^ 0xFF]) + data[1:] if data else data)

    def keep(self, add: Callable[[bytes], object]) -> int:
        """Hints.keep, remembering what it handed over."""
        self.kept += self.payloads
        return super().keep(add)


def test_a_tampered_hint_lands_under_its_own_hash_only(image: GuestImage) -> None:
    """A wrong hint is the preimage of its own hash: the store keeps it there, the key of the node the
    guest meant stays absent, and the next block stops on it (a failure, never a wrong result)."""
    test = load_file(LOG_REVERT)[0]
    store = PreimageStore()
    state = initial_state_v2(test, store)
    stepper = ABStepperV2(image, store)
    stepper.hints = tampered = TamperedHints()
    after, _ = stepper.step(state)
    kept = tampered.kept
    assert kept and all(store.get(keccak(data)) == data for data in kept)
    meant = [bytes([data[0] ^ 0xFF]) + data[1:] for data in kept]
    assert all(store.get(keccak(data)) is None for data in meant)
    with pytest.raises(StepFailure, match="the guest's hints of it lack this key"):
        stepper.step(after)


def test_ab_alone_lists_the_accounts_of_a_differing_root(image: GuestImage) -> None:
    """With its hints in the store, AB's final world is read back as A's is: one line per difference."""
    test = load_file(SIMPLE)[0]
    first = test.post[0]
    wrong = replace(test, post=(replace(first, balance=first.balance + 1), *test.post[1:]))
    result = run_test_v2(wrong, machine=lambda store: ABStepperV2(image, store), label="AB")
    assert not result.ok and result.reason.startswith("post-state differs")
    assert any(f"0x{first.address.hex()}" in line and "balance" in line for line in result.differences)
    assert run_test_v2(test, machine=lambda store: ABStepperV2(image, store), label="AB").ok
