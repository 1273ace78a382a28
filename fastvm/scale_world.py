"""Worlds of 10^3 to 10^6 accounts written straight into a preimage store, one block on top (S v2).

A workload's senders are users with keys (fastvm.workloads.Users); the rest of the world is filler
accounts at addresses derived from their index, so a million-account world signs nothing and no
world is ever held as a list of accounts. Tries are built with py-trie's squashed writes: each node
is hashed once, not once per insertion. The block is built by A over a view of the store, so
building it writes nothing; the store then serves the oracle of A and of AB alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import rlp
from trie import HexaryTrie

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm.builder import BlockBuilder, Tx, genesis_header
from fastvm.contracts import ERC20_CODE, balance_slot, transfer_call
from fastvm.inbox_trie import build_inbox
from fastvm.preimages import PreimageStore
from fastvm.state import EssentialState, Fork
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry
from fastvm.witness import RecordingMachine
from fastvm.workloads import ETHER, GAS_LIMIT, TOKEN, Users

BLANK_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE_HASH = keccak(b"")
SCALE_WORKLOADS = ("transfers", "erc20")
USER_BALANCE = 100 * ETHER
FILLER_BALANCE = ETHER
TOKENS_EACH = 10**6


def filler_address(index: int) -> bytes:
    """The address of filler account `index`: no key, just a balance (and tokens in the ERC-20 world)."""
    return keccak(b"swapvm filler" + index.to_bytes(8, "big"))[-20:]


def _account_rlp(nonce: int, balance: int, storage_root: bytes = BLANK_ROOT,
                 code_hash: bytes = EMPTY_CODE_HASH) -> bytes:
    """An account's value in the state trie."""
    return rlp.encode([nonce, balance, storage_root, code_hash])


def _squashed(entries: Iterator[tuple[bytes, bytes]]) -> tuple[bytes, dict[bytes, bytes]]:
    """The root and the nodes of a trie holding the entries (key already hashed)."""
    nodes: dict[bytes, bytes] = {}
    trie = HexaryTrie(nodes)
    with trie.squash_changes() as batch:
        for key, value in entries:
            batch[key] = value
    return trie.root_hash, nodes


@dataclass(frozen=True, slots=True)
class ScaleWorld:
    """A world of `accounts` accounts for one workload: who sends, who receives."""

    workload: str
    accounts: int
    users: Users       # the senders (keys known), one per transaction
    fillers: int       # accounts without keys: the rest of the world

    @classmethod
    def make(cls, workload: str, accounts: int, txs: int) -> ScaleWorld:
        """The world of a workload at a size: txs senders, the rest fillers (at least one per sender)."""
        if workload not in SCALE_WORKLOADS:
            choices = ", ".join(SCALE_WORKLOADS)
            raise SwapvmError(f"unknown scale workload {workload!r}: choose from {choices}")
        if accounts < 2 * txs:
            raise SwapvmError(f"{accounts} accounts cannot hold {txs} senders and as many receivers")
        return cls(workload, accounts, Users.make(txs), accounts - txs)

    def receiver(self, t: int) -> bytes:
        """The receiver of transaction t: a filler spread across the world (distinct per transaction)."""
        return filler_address((t * self.fillers) // len(self.users.keys))

    def holders(self) -> Iterator[bytes]:
        """Every address with a balance (and, for erc20, tokens)."""
        yield from self.users.addresses
        for index in range(self.fillers):
            yield filler_address(index)

    def write(self, store: PreimageStore) -> bytes:
        """Write the world's nodes (and the token's code) into the store; its state root."""
        users = set(self.users.addresses)
        entries = (
            (keccak(a), _account_rlp(0, USER_BALANCE if a in users else FILLER_BALANCE))
            for a in self.holders()
        )
        if self.workload == "erc20":
            storage_root, storage_nodes = _squashed(
                (keccak(balance_slot(a).to_bytes(32, "big")), rlp.encode(TOKENS_EACH)) for a in self.holders()
            )
            store.put_entries(storage_nodes)
            store.put(ERC20_CODE)
            token = (keccak(TOKEN), _account_rlp(0, 0, storage_root, keccak(ERC20_CODE)))
            entries = _chain(entries, token)
        root, nodes = _squashed(entries)
        store.put_entries(nodes)
        store.commit()
        return root

    def transactions(self) -> list[Tx]:
        """The block's transactions: each user sends once, ETH or one token, to its receiver."""
        keys = self.users.keys
        if self.workload == "transfers":
            return [Tx(keys[t], self.receiver(t), value=1000 + t) for t in range(len(keys))]
        return [Tx(keys[t], TOKEN, gas=80_000, data=transfer_call(self.receiver(t), 1 + t))
                for t in range(len(keys))]


Entries = Iterator[tuple[bytes, bytes]]


def _chain(entries: Entries, last: tuple[bytes, bytes]) -> Entries:
    """entries, then one more."""
    yield from entries
    yield last


def scale_chain(world: ScaleWorld, store: PreimageStore, fork: Fork = Fork.SHANGHAI) -> EssentialStateV2:
    """S version 2 of a one-block chain on the world, its world, inbox and genesis written into the store."""
    root = world.write(store)
    genesis = genesis_header(fork, (), gas_limit=GAS_LIMIT, state_root=root)
    context = EssentialState(1, fork, genesis)   # the block builder's view: the world is in the store
    builder = BlockBuilder(RecordingMachine(store, rebuild_accounts=False))
    raw = builder.build(context, world.transactions(), coinbase=world.users.addresses[0])
    inbox, nodes = build_inbox([raw])
    store.put_entries(nodes)
    store.put(genesis)
    store.commit()
    return EssentialStateV2(ChainConfig(1, (ForkEntry.with_defaults(fork, 0),)), inbox, genesis)
