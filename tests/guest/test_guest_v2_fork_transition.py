"""The guest across a fork time on S version 2: each block under the fork of its own timestamp.

The Shanghai-to-Cancun fixtures (network ShanghaiToCancunAtTime15k; the schedule `[[1, 0], [2, 15000, 3,
6, 3338477]]` of spec §6.2) from their pre-state and inbox (store_world, build_inbox): the blocks before
the fork time on A (ExporterV2) and on AB with A's witness alone, S' byte-equal; then the first block at
or past the fork time on A and on AB with A's witness, S' byte-equal, and on AB alone over the store:
the guest accepts it exactly when the fixture expects it valid, and an
accepted one passed every check up to the state root (check 7) under Cancun's rules with a Shanghai
parent (EIP-4844's excess blob gas from a parent without blob fields; the beacon roots call).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from v2_ab import ab_window, assert_same, check_block

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.contentdb import store_world
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.fixtures import genesis_header, parse_test
from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT
from fastvm.inbox_trie import InboxTrie, build_inbox
from fastvm.preimages import PreimageStore
from fastvm.state import Fork, Status
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry
from fastvm.workloads import workload
from swapping.guest_image import GuestImage, guest_image
from toolchain.build import ROOT

NETWORK = "ShanghaiToCancunAtTime15k"
FORK_TIME = 15_000
PYSPECS = ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests" / "Pyspecs"
# the set's transition tests with a block at or past the fork time
FILES = (
    "eip4844_blobs/fork_transition_excess_blob_gas.json",
    "eip4844_blobs/invalid_post_fork_block_without_blob_fields.json",
    "eip4844_blobs/point_evaluation_precompile_during_fork.json",
    "eip4788_beacon_root/beacon_root_contract_deploy.json",
    "eip4788_beacon_root/beacon_root_transition.json",
    "eip4788_beacon_root/no_beacon_root_contract_at_transition.json",
    "eip7516_blobgasfee/blobbasefee_during_fork.json",
)
EXIT_UNSUPPORTED = 3        # EVM_STEP_UNSUPPORTED (guest/include/evm.h)
DEPOSIT_CONTRACT = bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:])
SCHEDULE = (ForkEntry.with_defaults(Fork.SHANGHAI, 0), ForkEntry.with_defaults(Fork.CANCUN, FORK_TIME))


def first_transition_test(path: Path) -> tuple[str, dict]:
    """The file's first test on the transition network."""
    tests = json.loads(path.read_text()).items()
    return next((name, body) for name, body in tests if body["network"] == NETWORK)


def timestamp(raw_block: bytes) -> int:
    """A fixture block's header timestamp."""
    return int.from_bytes(rlpx.decode(raw_block)[0][11], "big")


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest image, built once."""
    return guest_image()


@pytest.mark.parametrize("file", FILES)
def test_the_block_at_the_fork_time_meets_the_fixture(file: str, image: GuestImage, tmp_path: Path) -> None:
    name, body = first_transition_test(PYSPECS / "cancun" / file)
    test = parse_test(name, {**body, "network": "Shanghai"})   # the genesis is a Shanghai block
    store = PreimageStore(tmp_path / "preimages.sqlite")
    parent = genesis_header(test.genesis_rlp, Fork.SHANGHAI)
    assert store_world(store, test.pre) == rlpx.decode(parent)[3]
    inbox, nodes = build_inbox(list(test.blocks))
    store.put_entries(nodes)
    store.commit()
    state = EssentialStateV2(ChainConfig(1, SCHEDULE), inbox, parent)
    exporter = ExporterV2(store)
    first = next(i for i, raw in enumerate(test.blocks) if timestamp(raw) >= FORK_TIME)
    for index in range(first):
        state, check = check_block(image, exporter, state)
        assert_same(check, f"block {index}")
        assert (state.outcome.status == Status.ACCEPTED) == test.expect_valid[index], f"block {index}"
    _after, crossing = check_block(image, exporter, state)   # A takes the block's fork too (spec §6.3)
    assert_same(crossing, f"block {first}")
    result = ab_window(image, encode_v2(state), store)
    assert (result.status, result.exit_code) == ("yielded", 0), (result.status, result.cause)
    after = decode_v2(result.s_image)
    assert (after.outcome.status == Status.ACCEPTED) == test.expect_valid[first], after.outcome
    if test.expect_valid[first]:
        assert keccak(after.parent_header) == keccak(rlpx.encode(rlpx.decode(test.blocks[first])[0]))


def unchanged_by_the_guest(image: GuestImage, state: EssentialStateV2, store: PreimageStore) -> int:
    """The guest's yield code on S; S must be left as it was."""
    result = ab_window(image, encode_v2(state), store)
    assert result.status == "yielded" and result.s_image == encode_v2(state)
    return result.exit_code


def shanghai_s2(tmp_path: Path) -> tuple[EssentialStateV2, PreimageStore]:
    """S version 2 of a small Shanghai chain at time 0 with one pending block, and its store."""
    store = PreimageStore(tmp_path / "preimages.sqlite")
    return to_version_2(workload("transfers", 4, 1, 1), store), store


def test_a_block_of_a_fork_the_guest_does_not_implement_is_unsupported(image: GuestImage,
                                                                        tmp_path: Path) -> None:
    state, store = shanghai_s2(tmp_path)
    block_time = timestamp(InboxTrie(store, state.inbox).block(0))  # type: ignore[arg-type]
    prague = ChainConfig(1, (SCHEDULE[0], ForkEntry.with_defaults(Fork.PRAGUE, block_time)), DEPOSIT_CONTRACT)
    assert unchanged_by_the_guest(image, state.with_changes(config=prague), store) == EXIT_UNSUPPORTED
    later = ChainConfig(1, (SCHEDULE[0], ForkEntry.with_defaults(Fork.PRAGUE, block_time + 1)), DEPOSIT_CONTRACT)
    result = ab_window(image, encode_v2(state.with_changes(config=later)), store)
    assert result.exit_code == 0 and decode_v2(result.s_image).outcome.status == Status.ACCEPTED


OTHER_BLOBS = (ForkEntry(Fork.CANCUN, 10**9, 3, 6, 3_338_478), ForkEntry(Fork.CANCUN, 10**9, 4, 6, 3_338_477),
               ForkEntry(Fork.PRAGUE, 10**9, 6, 12, 5_007_716))


@pytest.mark.parametrize("entry", OTHER_BLOBS)
def test_other_blob_parameters_are_unsupported(entry: ForkEntry, image: GuestImage, tmp_path: Path) -> None:
    state, store = shanghai_s2(tmp_path)
    deposit = DEPOSIT_CONTRACT if entry.fork == Fork.PRAGUE else b""
    config = ChainConfig(1, (SCHEDULE[0], entry), deposit)
    assert unchanged_by_the_guest(image, state.with_changes(config=config), store) == EXIT_UNSUPPORTED
