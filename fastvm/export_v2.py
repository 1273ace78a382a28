"""A's export per block on S version 2 (spec §6.3, §6.5): (S', witness) from S and the preimage store.

S version 2 holds commitments only: the world is the trie at the parent header's state root and
the inbox the trie at `inbox.root`, both in the store. One step reads block `cursor` through the
inbox trie, applies it with A's checks over a recording view of the store (fastvm/witness.py), and
returns S' with the witness: the inbox nodes on the block's path, then the world's nodes, the code,
the keys and the headers. `replay_v2` is the same step on the witness alone, as a worker runs it.

Until the switch (spec §6, status), A's step takes the version 1 record: this module hands it a
version 1 view of S (no accounts, the one block in its inbox) and never rebuilds the world for S'.
A block whose fork differs from its parent's (a fork time inside the chain) is refused here: A's step
learns to take the block's fork from the schedule with the switch.
"""

from __future__ import annotations

from collections.abc import Mapping

from emulator.errors import SwapvmError
from fastvm import rlpx
from fastvm.codec_v2 import header_timestamp
from fastvm.contentdb import store_world
from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT
from fastvm.inbox_trie import InboxTrie, build_inbox
from fastvm.machine import StepInfo
from fastvm.preimages import BlockView, PreimageStore
from fastvm.state import EssentialState, Fork
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry
from fastvm.witness import RecordingMachine, ReplayMachine, Witness, state_root_of_header


def _fork_of(state: EssentialStateV2, raw: bytes) -> Fork:
    """The fork of the parent, which must also be the block's (a fork time inside the chain is refused)."""
    parent_fork = state.config.fork_at(header_timestamp(rlpx.decode(state.parent_header)) or 0)
    if parent_fork is None:
        raise SwapvmError("S's parent header is before its fork schedule")
    try:
        item = rlpx.decode(raw)
        header = item[0] if isinstance(item, list) and item else None
    except rlpx.RlpError:
        header = None   # A rejects it as malformed, under the parent's fork
    timestamp = header_timestamp(header) if header is not None else None
    block_fork = state.config.fork_at(timestamp) if timestamp is not None else None
    if block_fork is not None and block_fork != parent_fork:
        raise SwapvmError(f"block {state.cursor} crosses from {parent_fork.name.lower()} to "
                          f"{block_fork.name.lower()}: a step across a fork time lands with the switch")
    return parent_fork


def as_version_1(state: EssentialStateV2, raw: bytes) -> EssentialState:
    """The version 1 record A's step takes today: S's context, no accounts, the block alone in its inbox."""
    return EssentialState(state.config.chain_id, _fork_of(state, raw), state.parent_header,
                          state.ancestor_hashes, (), (raw,), 0, state.outcome)


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

    def __init__(self, store: PreimageStore) -> None:
        self.store = store
        self.machine = RecordingMachine(store, rebuild_accounts=False)

    def export(self, state: EssentialStateV2) -> tuple[EssentialStateV2, StepInfo | None, Witness]:
        """One step with its witness (S unchanged, no info, when the inbox is exhausted)."""
        if state.cursor >= state.inbox.length:
            return state, None, Witness((), (), (), (state.parent_header,))
        raw, inbox_view = inbox_block(state, self.store)
        after, info, witness = self.machine.export(as_version_1(state, raw))
        inbox_nodes = tuple(inbox_view.read.values())
        return after_step(state, after), info, Witness(inbox_nodes + witness.state, witness.codes,
                                                       witness.keys, witness.headers)


def replay_v2(state: EssentialStateV2, witness: Witness) -> tuple[EssentialStateV2, StepInfo]:
    """A's step on S version 2 with the witness alone; MissingPreimage names the first key it lacks."""
    preimages = witness.preimages()
    raw, _view = inbox_block(state, preimages)
    after, info = ReplayMachine(preimages).step(as_version_1(state, raw))
    return after_step(state, after), info


def to_version_2(state: EssentialState, store: PreimageStore) -> EssentialStateV2:
    """S version 2 of a version 1 S: its world and inbox written into the store, commitments kept in S."""
    root = store_world(store, state.accounts)
    if root != state_root_of_header(state.parent_header):
        raise SwapvmError(f"S's accounts have state root 0x{root.hex()}, not its parent header's")
    inbox, nodes = build_inbox(list(state.inbox))
    store.put_entries(nodes)
    store.put(state.parent_header)
    store.commit()
    config = ChainConfig(state.chain_id, (ForkEntry.with_defaults(state.fork, 0),),
                         bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:]) if state.fork >= Fork.PRAGUE else b"")
    return EssentialStateV2(config, inbox, state.parent_header, state.ancestor_hashes, state.cursor,
                            state.outcome)

