"""AB in conformance on S version 2 (spec §6.6): with A, its oracle is A's witness of the block alone;
alone, the test's store of the pre-state world and the inbox, its final state root against the fixture's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.merkle import keccak
from fastvm.codec_v2 import encode_v2
from fastvm.conformance import Finding
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


def test_ab_alone_uses_the_pre_state_store(tmp_path: Path) -> None:
    """badBlocks changes the world in its one valid block only: AB alone runs every block; logRevert's
    second block reads a node its first created, which the pre-state store cannot give: cannot run."""
    code, result = report(tmp_path, str(BAD_BLOCKS), str(LOG_REVERT), "--machines", "ab")
    tests = {Path(t["path"]).name: t for t in result["tests"]}
    assert code == 1 and tests["badBlocks.json"]["ok"]
    skipped = tests["logRevert.json"]
    assert skipped["not_run"] and skipped["reason"].startswith("cannot run: block 1: AB alone cannot run it")
    assert "--machines a,ab checks it" in skipped["reason"]


def test_ab_alone_names_a_differing_root_without_account_lines(image: GuestImage) -> None:
    test = load_file(SIMPLE)[0]
    first = test.post[0]
    wrong = replace(test, post=(replace(first, balance=first.balance + 1), *test.post[1:]))
    result = run_test_v2(wrong, machine=lambda store: ABStepperV2(image, store), label="AB")
    assert not result.ok and result.differences == ()
    assert "post-state root" in result.reason
    assert result.reason.endswith("per-account differences are not available for AB alone (its world is in "
                                  "no store)")
    assert run_test_v2(test, machine=lambda store: ABStepperV2(image, store), label="AB").ok
