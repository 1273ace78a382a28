"""A's export per block on S version 2 (spec §6.3, §6.5): (S', witness) from S and the preimage store.

S version 2 holds commitments only: the world is the trie at the parent header's state root and
the inbox the trie at `inbox.root`, both in the store. One step reads block `cursor` through the
inbox trie, applies it with A's checks over a recording view of the store (fastvm/witness.py), and
returns S' with the witness: the inbox nodes on the block's path, then the world's nodes, the code,
the keys and the headers. `replay_v2` is the same step on the witness alone, as a worker runs it.

Until the switch (spec §6, status), A's step takes the version 1 record: this module hands it a
version 1 view of S (no accounts, the one block in its inbox) and never rebuilds the world for S'.
The block's fork and its parent's come from S's schedule (spec §6.3): the parent header under the
fork at its own timestamp, the block under the fork at its timestamp, so the first block of a fork
runs on py-evm's VM of the new fork over a parent of the previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from emulator.errors import SwapvmError
from fastvm import rlpx
from fastvm.codec_v2 import encode_v2, header_timestamp
from fastvm.contentdb import store_world
from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT
from fastvm.inbox_trie import InboxTrie, build_inbox
from fastvm.machine import Machine, StepInfo
from fastvm.preimages import BlockView, PreimageStore
from fastvm.state import EssentialState, Fork
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry
from fastvm.witness import RecordingMachine, ReplayMachine, Witness, state_root_of_header


def parent_fork(state: EssentialStateV2) -> Fork:
    """The fork of S's parent header: the one active at its own timestamp."""
    fork = state.config.fork_at(header_timestamp(rlpx.decode(state.parent_header)) or 0)
    if fork is None:
        raise SwapvmError("S's parent header is before its fork schedule")
    return fork


def block_fork(config: ChainConfig, raw: bytes, parent: Fork) -> Fork:
    """The fork of a raw block (spec §6.3): the one at its header's timestamp when it has a readable
    one within the schedule, else the parent's (the ordinary checks then reject the block)."""
    try:
        item = rlpx.decode(raw)
    except rlpx.RlpError:
        return parent
    header = item[0] if isinstance(item, list) and item else None
    timestamp = header_timestamp(header) if header is not None else None
    fork = config.fork_at(timestamp) if timestamp is not None else None
    return parent if fork is None else fork


def non_default_blobs(config: ChainConfig) -> str | None:
    """Why A cannot run a schedule with blob parameters other than its forks' defaults (one line naming
    the entry), or None: both machines support the default parameters only (spec §6.2)."""
    for index, entry in enumerate(config.forks):
        default = ForkEntry.with_defaults(entry.fork, entry.time)
        if entry != default:
            given = (entry.blob_target, entry.blob_max, entry.blob_update_fraction)
            wanted = (default.blob_target, default.blob_max, default.blob_update_fraction)
            return (f"config.forks[{index}] ({entry.fork.name.lower()} at {entry.time}) has blob parameters "
                    f"{given}, not the fork's defaults {wanted}: other blob schedules are not supported")
    return None


def refuse_non_default_blobs(config: ChainConfig) -> None:
    """Raise a one-line SwapvmError when the schedule has non-default blob parameters."""
    reason = non_default_blobs(config)
    if reason:
        raise SwapvmError(reason)


def as_version_1(state: EssentialStateV2, raw: bytes) -> tuple[EssentialState, Fork, Fork]:
    """The version 1 record A's step takes today (S's context, no accounts, the block alone in its
    inbox, the block's fork), with the block's fork and the parent's."""
    parent = parent_fork(state)
    fork = block_fork(state.config, raw, parent)
    record = EssentialState(state.config.chain_id, fork, state.parent_header, state.ancestor_hashes, (),
                            (raw,), 0, state.outcome)
    return record, fork, parent


def step_v2(machine: Machine, state: EssentialStateV2, raw: bytes) -> tuple[EssentialStateV2, StepInfo]:
    """A's step on S version 2 given its block: S' and the step's info, whose image is encode_v2(S')."""
    record, fork, parent = as_version_1(state, raw)
    after, info = machine.step(record, fork, parent)
    next_state = after_step(state, after)
    return next_state, replace(info, image=encode_v2(next_state))


def after_step(state: EssentialStateV2, after: EssentialState) -> EssentialStateV2:
    """S' from A's version 1 result: the cursor moves, the parent, hashes and outcome are the step's."""
    return state.with_changes(cursor=state.cursor + 1, parent_header=after.parent_header,
                              ancestor_hashes=after.ancestor_hashes, outcome=after.outcome)


def inbox_block(state: EssentialStateV2,
                source: Mapping[bytes, bytes] | PreimageStore) -> tuple[bytes, BlockView]:
    """Block `cursor` read through the inbox trie, and the view that recorded the nodes on its path."""
    view = BlockView(source)
    return InboxTrie(view, state.inbox).block(state.cursor), view  # type: ignore[arg-type]


class ExporterV2:
    """Machine A on S version 2 over a preimage store: export(S) -> (S', step info, witness)."""

    def __init__(self, store: PreimageStore, live_budget: int | None = None) -> None:
        self.store = store
        self.machine = RecordingMachine(store, rebuild_accounts=False, live_budget=live_budget)

    def export(self, state: EssentialStateV2) -> tuple[EssentialStateV2, StepInfo | None, Witness]:
        """One step with its witness (S unchanged, no info, when the inbox is exhausted).

        The step info's image is encode_v2(S'); a schedule with non-default blob parameters is refused."""
        refuse_non_default_blobs(state.config)
        if state.cursor >= state.inbox.length:
            return state, None, Witness((), (), (), (state.parent_header,))
        raw, inbox_view = inbox_block(state, self.store)
        record, fork, parent = as_version_1(state, raw)
        after, info, witness = self.machine.export(record, fork, parent)
        next_state = after_step(state, after)
        inbox_nodes = tuple(inbox_view.read.values())
        return next_state, replace(info, image=encode_v2(next_state)), Witness(
            inbox_nodes + witness.state, witness.codes, witness.keys, witness.headers)


def replay_v2(state: EssentialStateV2, witness: Witness) -> tuple[EssentialStateV2, StepInfo]:
    """A's step on S version 2 with the witness alone; MissingPreimage names the first key it lacks."""
    refuse_non_default_blobs(state.config)
    preimages = witness.preimages()
    raw, _view = inbox_block(state, preimages)
    return step_v2(ReplayMachine(preimages, version_2=True), state, raw)


def to_version_2(state: EssentialState, store: PreimageStore,
                 config: ChainConfig | None = None) -> EssentialStateV2:
    """S version 2 of a version 1 S: its world and inbox written into the store, commitments kept in S.

    The configuration is S's one fork from time 0 unless a schedule is given (a fixture's network)."""
    root = store_world(store, state.accounts)
    if root != state_root_of_header(state.parent_header):
        raise SwapvmError(f"S's accounts have state root 0x{root.hex()}, not its parent header's")
    inbox, nodes = build_inbox(list(state.inbox))
    store.put_entries(nodes)
    store.put(state.parent_header)
    store.commit()
    if config is None:
        deposit = bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:]) if state.fork >= Fork.PRAGUE else b""
        config = ChainConfig(state.chain_id, (ForkEntry.with_defaults(state.fork, 0),), deposit)
    return EssentialStateV2(config, inbox, state.parent_header, state.ancestor_hashes, state.cursor,
                            state.outcome)
