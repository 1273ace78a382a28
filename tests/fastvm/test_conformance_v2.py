"""Conformance on S version 2 (machine A): the fixtures' fork schedules, A across a fork time, the final
world read back out of the store account by account (the same difference lines as version 1)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import rlp

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm.codec_v2 import decode_v2
from fastvm.conformance import run_test
from fastvm.conformance_v2 import run_test_v2, world_in_store
from fastvm.export_v2 import ExporterV2, parent_fork, replay_v2
from fastvm.fixtures import chain_config, initial_state, initial_state_v2, load_file, parse_test
from fastvm.forks import fork_schedule
from fastvm.preimages import PreimageStore
from fastvm.state import Fork, Status
from fastvm.state_v2 import ForkEntry
from fastvm.witness import state_root_of_header
from fastvm.world import state_root_of

ROOT = Path(__file__).resolve().parents[2]
CANCUN = ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests"
PYSPECS = CANCUN / "GeneralStateTests" / "Pyspecs" / "cancun"
TRANSITION_FILES = sorted(path for path in PYSPECS.rglob("*.json")
                          if '"ShanghaiToCancunAtTime15k"' in path.read_text()) if PYSPECS.is_dir() else []
BEACON = PYSPECS / "eip4788_beacon_root" / "beacon_root_transition.json"
SIMPLE = (ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "ValidBlocks"
          / "bcValidBlockTest" / "SimpleTx.json")
FORK_TIME = 15_000
EXCESS_BLOB_GAS = 18   # a Cancun header's item
HISTORY_BUFFER = 8191   # EIP-4788's ring of timestamps
BEACON_ROOTS = bytes.fromhex("000f3df6d732807ef1319fb7b8bb8522d0beac02")


@pytest.mark.parametrize(("network", "schedule"), [
    ("Shanghai", ((Fork.SHANGHAI, 0),)),
    ("Cancun", ((Fork.CANCUN, 0),)),
    ("ShanghaiToCancunAtTime15k", ((Fork.SHANGHAI, 0), (Fork.CANCUN, FORK_TIME))),
])
def test_a_network_gives_its_schedule_with_default_blobs(network: str, schedule: tuple) -> None:
    assert fork_schedule(network) == schedule
    test = replace(load_file(SIMPLE)[0], schedule=schedule)
    assert chain_config(test).forks == tuple(ForkEntry.with_defaults(f, t) for f, t in schedule)
    assert chain_config(test).chain_id == 1 and chain_config(test).deposit_contract == b""


@pytest.mark.parametrize("network", ["Paris", "CancunToShanghaiAtTime15k", "ShanghaiToOsakaAtTime15k"])
def test_other_networks_are_refused_with_their_reason(network: str) -> None:
    with pytest.raises(SwapvmError, match="is not supported"):
        fork_schedule(network)


def test_the_transition_tests_are_present() -> None:
    tests = [test for path in TRANSITION_FILES for test in load_file(path)]
    assert len(tests) == 18 and {t.network for t in tests} == {"ShanghaiToCancunAtTime15k"}


@pytest.mark.parametrize("path", TRANSITION_FILES, ids=lambda p: p.stem)
def test_the_transition_tests_pass_on_a_version_2(path: Path) -> None:
    for test in load_file(path):
        result = run_test_v2(test)
        assert result.ok and not result.reason_mismatches, (test.name, result.reason)


def test_a_transition_test_is_refused_by_version_1_in_one_line() -> None:
    test = load_file(BEACON)[0]
    with pytest.raises(SwapvmError, match="switches from Shanghai to Cancun at timestamp 15,000"):
        initial_state(test)


def test_the_first_cancun_block_has_a_shanghai_parent_and_the_beacon_root_call() -> None:
    """Block 15 (timestamp 15,000) runs on Cancun over a Shanghai parent: EIP-4844's excess blob gas
    from a Shanghai parent is 0, EIP-4788's system call writes the beacon roots storage; a worker's
    re-run on the witness alone gives the same S'."""
    test = load_file(BEACON)[0]
    store = PreimageStore()
    state = initial_state_v2(test, store)
    exporter = ExporterV2(store)
    crossed = 0
    for index in range(len(test.blocks)):
        before = state
        state, info, witness = exporter.export(state)
        assert info is not None and info.status == Status.ACCEPTED, (index, info)
        assert decode_v2(info.image) == state
        assert replay_v2(before, witness)[0] == state
        if parent_fork(before) != parent_fork(state):
            crossed += 1
            assert (parent_fork(before), parent_fork(state)) == (Fork.SHANGHAI, Fork.CANCUN)
            header = rlp.decode(state.parent_header)
            assert len(header) == 20 and header[EXCESS_BLOB_GAS] == b""   # 0, as an RLP uint
            slot = FORK_TIME % HISTORY_BUFFER
            accounts, _ = world_in_store(store, state_root_of_header(state.parent_header), [BEACON_ROOTS],
                                         [slot, slot + HISTORY_BUFFER])
            beacon = next(a for a in accounts if a.address == BEACON_ROOTS)
            assert dict(beacon.storage)[slot] == FORK_TIME   # EIP-4788: the timestamp at its ring slot
    assert crossed == 1
    assert state_root_of_header(state.parent_header) == state_root_of(test.post)
    assert keccak(state.parent_header) == test.last_block_hash


def test_non_default_blob_parameters_are_refused_in_one_line() -> None:
    test = load_file(BEACON)[0]
    store = PreimageStore()
    state = initial_state_v2(test, store)
    odd = replace(state.config.forks[1], blob_max=9)
    state = state.with_changes(config=replace(state.config, forks=(state.config.forks[0], odd)))
    with pytest.raises(SwapvmError, match=r"config.forks\[1\] \(cancun at 15000\) has blob parameters "
                                          r"\(3, 9, 3338477\), not the fork's defaults \(3, 6, 3338477\)"):
        ExporterV2(store).export(state)


def _tampered_post(test):  # noqa: ANN001, ANN202 - a FixtureTest
    """The test with its post-state's first account richer by one wei and one slot more."""
    first = test.post[0]
    richer = replace(first, balance=first.balance + 1, storage=tuple(sorted((*first.storage, (7, 9)))))
    return replace(test, post=(richer, *test.post[1:]))


def test_a_differing_world_gives_version_1s_difference_lines() -> None:
    test = _tampered_post(load_file(SIMPLE)[0])
    one, two = run_test(test), run_test_v2(test)
    assert not one.ok and not two.ok
    assert two.reason == one.reason and two.differences == one.differences
    assert any("balance" in line for line in two.differences)
    assert any("storage slot 0x7 A 0x0 vs the fixture 0x9" in line for line in two.differences)


def test_a_differing_last_block_hash_is_named() -> None:
    test = replace(load_file(SIMPLE)[0], last_block_hash=b"\x01" * 32)
    result = run_test_v2(test)
    assert not result.ok and "differs from lastblockhash" in result.reason


def test_an_account_no_address_names_is_one_line() -> None:
    test = load_file(SIMPLE)[0]
    store = PreimageStore()
    state = initial_state_v2(test, store)
    root = state_root_of_header(state.parent_header)
    hidden = test.pre[0].address
    accounts, unnamed = world_in_store(store, root, [a.address for a in test.pre[1:]], [])
    assert [a.address for a in accounts] == [a.address for a in test.pre[1:]]
    assert unnamed == (f"the account at hashed address 0x{keccak(hidden).hex()}: an account that no address "
                       "of the test or its witnesses names",)
    full, none = world_in_store(store, root, [a.address for a in test.pre],
                                [k for a in test.pre for k, _ in a.storage])
    assert full == test.pre and none == ()


def test_a_block_without_a_readable_timestamp_takes_its_parents_fork() -> None:
    from fastvm.export_v2 import block_fork

    test = load_file(BEACON)[0]
    config = chain_config(test)
    assert block_fork(config, b"\xc0", Fork.SHANGHAI) == Fork.SHANGHAI        # no header
    assert block_fork(config, b"\x81", Fork.CANCUN) == Fork.CANCUN            # not RLP
    late = parse_test("t", json.loads(BEACON.read_text())[test.name]).blocks[-1]
    assert block_fork(config, late, Fork.SHANGHAI) == Fork.CANCUN             # timestamp 20,000
    shanghai, cancun = config.forks
    before = replace(config, forks=(replace(shanghai, time=10**6), replace(cancun, time=10**7)))
    assert block_fork(before, late, Fork.CANCUN) == Fork.CANCUN               # before the schedule
