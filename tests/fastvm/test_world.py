"""The world state of S loads into py-evm with the Ethereum state root an independent trie computes."""

from __future__ import annotations

import rlp
from hypothesis import given, settings
from s_strategies import accounts
from trie import HexaryTrie

from emulator.merkle import keccak
from fastvm.state import Account
from fastvm.world import World

EMPTY_CODE_HASH = keccak(b"")


def _independent_root(world: tuple[Account, ...]) -> bytes:
    """The state root from py-trie directly: keccak-keyed account leaves over keccak-keyed storage tries."""
    state = HexaryTrie({})
    for account in world:
        storage = HexaryTrie({})
        for key, value in account.storage:
            storage[keccak(key.to_bytes(32, "big"))] = rlp.encode(value)
        leaf = [account.nonce, account.balance, storage.root_hash, keccak(account.code)]
        state[keccak(account.address)] = rlp.encode(leaf)
    return state.root_hash


@settings(max_examples=60, deadline=None)
@given(accounts())
def test_loaded_root_matches_an_independent_trie(world: tuple[Account, ...]) -> None:
    assert World.load(world).root == _independent_root(world)


def test_an_empty_account_exists_in_the_trie() -> None:
    empty = (Account(b"\x01" * 20),)
    assert World.load(empty).root == _independent_root(empty) != World.load(()).root
