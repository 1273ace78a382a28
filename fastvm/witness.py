"""A block's witness: the preimages A reads from its store for one block, and the block re-run on them alone.

A records a witness by running the block over a BlockView of the store (fastvm/preimages.py), which
notes every key the block reads from it: the state trie and storage trie nodes on the paths the
block reads or writes, the nodes py-evm reads while computing the new roots (a deletion that leaves a
branch with one child merges it with that child, which is read), and the code it runs or copies.
The witness adds the parent header (the pre-state root) and, back from it, every ancestor header down
to the oldest block BLOCKHASH asked for, as geth does; and the addresses and storage slots asked for.

`replay` runs the same checks and execution over the witness alone: a key it lacks stops the run with
MissingPreimage naming the key, never a different outcome (spec §6.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_S_SIZE
from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.contentdb import content_vm_class, store_world
from fastvm.machine import Machine, StepInfo
from fastvm.preimages import BlockView, PreimageStore, verified_entries
from fastvm.state import EssentialState, Fork, Status
from fastvm.tracking import TrackingAccountDB
from fastvm.world import World

HEADER_STATE_ROOT = 3      # the state root's index in a header's RLP list
HEADER_PARENT_HASH = 0
HEADER_NUMBER = 8
BLANK_ROOT = keccak(rlpx.encode(b""))


@dataclass(frozen=True, slots=True)
class Witness:
    """What one block needs besides S, in the `debug_executionWitness` shape."""

    state: tuple[bytes, ...]     # trie node RLPs of the state trie and the storage tries
    codes: tuple[bytes, ...]     # contract code
    keys: tuple[bytes, ...]      # preimages of hashed keys: each address (20 bytes), then its slots (32)
    headers: tuple[bytes, ...]   # header RLPs: the parent first, then its ancestors, newest first

    def preimages(self) -> dict[bytes, bytes]:
        """The oracle this witness gives: every node, code and header keyed by its keccak."""
        return verified_entries((*self.state, *self.codes, *self.headers))

    @property
    def entries(self) -> int:
        """How many preimages (nodes, codes and headers) the witness holds."""
        return len(self.state) + len(self.codes) + len(self.headers)

    @property
    def size(self) -> int:
        """The bytes of its preimages (keys included)."""
        return sum(map(len, (*self.state, *self.codes, *self.keys, *self.headers)))


def state_root_of_header(header_rlp: bytes) -> bytes:
    """The state root a header commits to."""
    return rlpx.decode(header_rlp, "parent header")[HEADER_STATE_ROOT]  # type: ignore[index,return-value]


class _RecordWorld(World):
    """The world over a recording view: reads stop counting once the block has produced its root."""

    def after_block(self, written: TrackingAccountDB, new_root: bytes) -> World:
        """Stop recording, then re-read S's accounts (version 1 of S holds them)."""
        self.db.stop_recording()  # type: ignore[attr-defined]
        return World.after_block(self, written, new_root)


class _ReplayWorld(World):
    """The world by its root alone (S version 2, or a witness-only run): S's accounts are not rebuilt."""

    def after_block(self, written: TrackingAccountDB, new_root: bytes) -> World:
        """The post-state by its root alone."""
        return World(self.db, new_root, (), {})


class _ViewMachine(Machine):
    """Machine A over a BlockView (the content VM, the world by its root); subclasses choose the source."""

    view: BlockView | None = None

    def vm_class_of(self, fork: Fork) -> type:
        """A's VM over content-addressed batches, noting accesses."""
        return content_vm_class(fork, self.live_budget)


class RecordingMachine(_ViewMachine):
    """Machine A whose world lives in a preimage store: each step also yields the block's witness.

    This is the export A makes per block (spec §6.5): `export(S)` returns S' and the witness, and the
    store gains the block's new nodes, code and header when the block is accepted."""

    def __init__(self, store: PreimageStore, s_size: int = DEFAULT_S_SIZE,
                 rebuild_accounts: bool = True, live_budget: int | None = None) -> None:
        super().__init__(s_size, live_budget=live_budget)
        self.store = store
        self.rebuild_accounts = rebuild_accounts   # S version 1 holds the world; version 2 does not

    def ensure_world(self, state: EssentialState) -> bytes:
        """The pre-state root of S; S's accounts are written into the store unless it holds that root."""
        root = state_root_of_header(state.parent_header)
        if root != BLANK_ROOT and self.store.get(root) is None:
            built = store_world(self.store, state.accounts)
            if built != root:
                raise SwapvmError(f"S's accounts have state root 0x{built.hex()}, its parent header says "
                                  f"0x{root.hex()}")
            self.store.put(state.parent_header)
            self.store.commit()
        return root

    def world_for(self, state: EssentialState) -> World:
        """A fresh recording view of the store at S's pre-state root."""
        self.view = BlockView(self.store)
        if not self.rebuild_accounts:
            self.view.live_paths = True
            return _ReplayWorld(self.view, state_root_of_header(state.parent_header), (), {})
        root = self.ensure_world(state)
        return _RecordWorld(self.view, root, state.accounts, state.account_map())

    def export(self, state: EssentialState, fork: Fork | None = None,
               parent_fork: Fork | None = None) -> tuple[EssentialState, StepInfo, Witness]:
        """One step of A with its witness; an accepted block's writes are committed to the store.

        The forks are as Machine.step's (S's one fork unless S version 2's schedule gives them)."""
        self.view = None
        next_state, info = self.step(state, fork, parent_fork)
        view = self.view
        if view is None:   # the inbox was empty: nothing was read
            return next_state, info, Witness((), (), (), (state.parent_header,))
        witness = witness_of(view, state, self.store)
        if info.status == Status.ACCEPTED:
            self.store.put_entries(view.writes, checked=True)
            self.store.put(next_state.parent_header)
            self.store.commit()
        return next_state, info, witness


class ReplayMachine(_ViewMachine):
    """Machine A on a witness alone: S gives the chain context, the witness every preimage."""

    def __init__(self, preimages: Mapping[bytes, bytes], s_size: int = DEFAULT_S_SIZE,
                 version_2: bool = False) -> None:
        super().__init__(s_size)
        self.preimages = preimages
        self.version_2 = version_2   # the live count reads lookup paths (spec §4.9) on version 2 only

    def world_for(self, state: EssentialState) -> World:
        """A view of the witness at S's pre-state root."""
        self.view = BlockView(self.preimages)
        self.view.live_paths = self.version_2
        return _ReplayWorld(self.view, state_root_of_header(state.parent_header), (), {})


def witness_of(view: BlockView, state: EssentialState,
               headers: Mapping[bytes, bytes] | PreimageStore) -> Witness:
    """The witness of the block just run over view: its reads split into nodes and codes, keys, headers."""
    access = view.access
    codes = tuple(value for key, value in view.read.items() if key in access.code_hashes)
    nodes = tuple(value for key, value in view.read.items() if key not in access.code_hashes)
    keys: list[bytes] = []
    for address in sorted(access.addresses):
        keys.append(address)
        keys.extend(slot.to_bytes(32, "big") for slot in sorted(access.slots.get(address, ())))
    return Witness(nodes, codes, tuple(keys), ancestor_headers(state.parent_header, access.lowest_ancestor,
                                                               headers))


def ancestor_headers(parent: bytes, lowest: int | None,
                     source: Mapping[bytes, bytes] | PreimageStore) -> tuple[bytes, ...]:
    """The parent header and, back from it, every header down to block `lowest` that source holds."""
    chain = [parent]
    while lowest is not None:
        fields = rlpx.decode(chain[-1], "header")
        number = int.from_bytes(fields[HEADER_NUMBER], "big")  # type: ignore[index,arg-type]
        if number <= lowest:
            break
        older = source.get(fields[HEADER_PARENT_HASH])  # type: ignore[index,arg-type]
        if older is None:   # S started above it (a genesis file's --from): S's hashes answer BLOCKHASH
            break
        chain.append(older)
    return tuple(chain)


def replay(state: EssentialState, witness: Witness | Mapping[bytes, bytes],
           s_size: int = DEFAULT_S_SIZE) -> tuple[EssentialState, StepInfo]:
    """A's step on the witness alone; raises MissingPreimage naming the first key the witness lacks."""
    preimages = witness.preimages() if isinstance(witness, Witness) else witness
    return ReplayMachine(preimages, s_size).step(state)

