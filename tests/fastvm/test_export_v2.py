"""A's export on S version 2: (S', witness) from the store, the same outcome as version 1, and a worker's
re-run on the witness alone (the inbox nodes on the block's path included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.merkle import keccak
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.export_v2 import ExporterV2, replay_v2, to_version_2
from fastvm.fixtures import initial_state, load_file
from fastvm.inbox_trie import InboxTrie
from fastvm.machine import Machine
from fastvm.preimages import MissingPreimage, PreimageStore
from fastvm.state import Fork, Reason, Status
from fastvm.state_v2 import ChainConfig, ForkEntry
from fastvm.witness import Witness
from fastvm.workloads import workload

QUICK = sorted((Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests"
                / "BlockchainTests").rglob("*.json"))
STRIDE = 5


@pytest.mark.parametrize("path", QUICK[::STRIDE], ids=lambda p: p.stem)
def test_version_2_steps_match_version_1_and_rerun_on_their_witness(path: Path) -> None:
    for test in load_file(path):
        plain = initial_state(test)
        store = PreimageStore()
        state = to_version_2(plain, store)
        exporter, reference = ExporterV2(store), Machine()
        for index in range(len(test.blocks)):
            before = state
            state, _info, witness = exporter.export(state)
            plain, _ = reference.step(plain)
            assert (state.outcome, state.parent_header, state.ancestor_hashes) == (
                plain.outcome, plain.parent_header, plain.ancestor_hashes), f"block {index}"
            assert decode_v2(encode_v2(state)) == state
            assert replay_v2(before, witness)[0] == state, f"block {index}"


def test_s_version_2_stays_small_while_the_world_grows() -> None:
    sizes = []
    for accounts in (10, 400):
        store = PreimageStore()
        state = to_version_2(workload("transfers", accounts, 2, 5), store)
        exporter = ExporterV2(store)
        while state.pending:
            state, _info, _witness = exporter.export(state)
        sizes.append(len(encode_v2(state)))
    assert sizes[0] == sizes[1] < 2_000


def test_the_inbox_path_is_in_the_witness_and_each_node_is_needed() -> None:
    store = PreimageStore()
    state = to_version_2(workload("transfers", 20, 3, 2), store)
    exporter = ExporterV2(store)
    state, _info, _witness = exporter.export(state)
    _after, _info, witness = exporter.export(state)
    path = InboxTrie(store, state.inbox).proof(state.cursor)  # type: ignore[arg-type]
    assert len(path) >= 2 and set(path) <= set(witness.state)
    for node in path:
        short = Witness(tuple(n for n in witness.state if n != node), witness.codes, witness.keys,
                        witness.headers)
        with pytest.raises(MissingPreimage) as raised:
            replay_v2(state, short)
        assert raised.value.key == keccak(node)


def test_a_block_after_a_fork_time_is_checked_under_the_new_fork() -> None:
    """A Shanghai-shaped block whose timestamp the schedule puts in Cancun is one of Cancun, and its
    17-item header is malformed there (code 1): the fork comes from the block's timestamp (spec §6.3)."""
    store = PreimageStore()
    state = to_version_2(workload("transfers", 10, 1, 1), store)
    crossing = state.with_changes(config=ChainConfig(1, (ForkEntry.with_defaults(Fork.SHANGHAI, 0),
                                                         ForkEntry.with_defaults(Fork.CANCUN, 1))))
    after, info, witness = ExporterV2(store).export(crossing)
    assert info is not None and (info.status, info.reason) == (Status.REJECTED, Reason.MALFORMED)
    assert after.parent_header == crossing.parent_header and after.cursor == 1
    assert replay_v2(crossing, witness)[0] == after
