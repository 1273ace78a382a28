"""py-evm's account database over a content-addressed store: prunes never read, accesses are noted.

py-evm prunes replaced trie nodes by deleting them from a batch in front of the database, and its
batch first reads the key (``MutableMapping.pop`` and ``BatchDB.__delitem__`` both do): on a store
that raises on a missing key, pruning a node that was created and dropped within the block would
stop the run, and on one that raises KeyError a real gap would be taken for an absent node. Here the
batches in front of the state trie and every storage trie forget a pending entry without reading
anything; deletes never reach the store (py-evm never applies them, and content-addressed data is
immutable). The account database also notes, on the view it runs over, the addresses, storage
slots, code and BLOCKHASH numbers a block asks for (the witness's ``keys`` and ``headers``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth.db.accesslog import KeyAccessLoggerDB
from eth.db.backends.base import BaseDB
from eth.db.batch import BatchDB
from eth.db.cache import CacheDB
from eth.db.hash_trie import HashTrie
from eth.db.journal import JournalDB
from eth.db.storage import AccountStorageDB, StorageLookup
from trie import HexaryTrie

from fastvm.preimages import Access
from fastvm.state import Account, Fork
from fastvm.tracking import TrackingAccountDB
from fastvm.world import write_account

BUILD_CHUNK = 10_000   # accounts per persist when a world is written into a store


class ContentBatch(BatchDB):
    """py-evm's read-through batch whose deletes forget a pending entry and never read the key."""

    def __init__(self, wrapped_db: BaseDB) -> None:
        super().__init__(wrapped_db, read_through_deletes=True)

    def __delitem__(self, key: bytes) -> None:
        """Drop a pending entry (a pruned node made in this block); nothing is read or deleted below."""
        del self._track_diff[key]

    def pop(self, key: bytes, default: object = None) -> object:  # type: ignore[override]
        """As __delitem__; returns default without reading the value (py-evm ignores it)."""
        del self._track_diff[key]
        return default


class ContentStorageLookup(StorageLookup):
    """A storage trie whose node batch is a ContentBatch."""

    def _get_write_trie(self) -> HexaryTrie:
        """py-evm's write trie, over a batch that never reads on a prune."""
        if self._trie_nodes_batch is None:
            self._trie_nodes_batch = ContentBatch(self._db)
        if self._write_trie is None:
            self._write_trie = HexaryTrie(
                self._trie_nodes_batch, root_hash=self._starting_root_hash, prune=True
            )
        return self._write_trie


class ContentAccountStorageDB(AccountStorageDB):
    """An account's storage over a ContentStorageLookup (the same layers as py-evm's)."""

    def __init__(self, db: Any, storage_root: bytes, address: bytes) -> None:
        super().__init__(db, storage_root, address)
        self._storage_lookup = ContentStorageLookup(db, storage_root, address)
        self._storage_cache = CacheDB(self._storage_lookup)
        self._locked_changes = JournalDB(self._storage_cache)
        self._journal_storage = JournalDB(self._locked_changes)


class ContentAccountDB(TrackingAccountDB):
    """A's write-tracking account database, with content batches and the block's accesses noted."""

    def __init__(self, db: Any, state_root: bytes = HexaryTrie.BLANK_NODE_HASH) -> None:
        super().__init__(db, state_root)
        self.access: Access = getattr(db, "access", None) or Access()
        self._batchtrie = ContentBatch(self._raw_store_db)
        self._trie = HashTrie(HexaryTrie(self._batchtrie, state_root, prune=True))
        self._trie_logger = KeyAccessLoggerDB(self._trie, log_missing_keys=False)
        self._trie_cache = CacheDB(self._trie_logger)
        self._journaltrie = JournalDB(self._trie_cache)

    def _get_address_store(self, address: Any) -> Any:
        """The account's storage, over content batches."""
        store = self._account_stores.get(address)
        if store is None:
            store = ContentAccountStorageDB(self._raw_store_db, self._get_storage_root(address), address)
            self._account_stores[address] = store
        return store

    def _get_encoded_account(self, address: Any, from_journal: bool = True) -> bytes:
        """Note the address, then read its account."""
        self.access.addresses.add(address)
        return super()._get_encoded_account(address, from_journal)

    def get_storage(self, address: Any, slot: int, from_journal: bool = True) -> int:
        """Note the slot, then read it."""
        self.access.slot(address, slot)
        return super().get_storage(address, slot, from_journal)

    def set_storage(self, address: Any, slot: int, value: int) -> None:
        """Note the slot, then write it."""
        self.access.slot(address, slot)
        super().set_storage(address, slot, value)

    def get_code(self, address: Any) -> bytes:
        """Note the code hash (the witness's codes), then read the code."""
        code_hash = self.get_code_hash(address)
        if code_hash != _EMPTY_CODE_HASH:
            self.access.code_hashes.add(code_hash)
        return super().get_code(address)


_EMPTY_CODE_HASH = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


def content_state_class(state_class: type) -> type:
    """A subclass of A's State class over ContentAccountDB that notes the BLOCKHASH numbers asked for."""

    def get_ancestor_hash(self: Any, block_number: int) -> bytes:
        answer = state_class.get_ancestor_hash(self, block_number)
        if answer:
            self._account_db.access.ancestor(block_number)
        return answer

    return type(f"Content{state_class.__name__}", (state_class,),
                {"account_db_class": ContentAccountDB, "get_ancestor_hash": get_ancestor_hash})


@cache
def content_vm_class(fork: Fork, live_budget: int | None = None) -> type:
    """A's VM class of the fork (fastvm.forks.machine_vm_class) over a content-addressed store."""
    from fastvm.forks import machine_vm_class

    base = machine_vm_class(fork, live_budget)
    state_class = content_state_class(base._state_class)
    return type(f"Content{base.__name__}", (base,), {"_state_class": state_class})


def store_world(db: Any, accounts: tuple[Account, ...], chunk: int = BUILD_CHUNK) -> bytes:
    """Write a world state's trie nodes and code into a content-addressed db; returns its state root.

    Accounts are persisted `chunk` at a time, so building a large world keeps py-evm's journals small."""
    account_db = ContentAccountDB(db)
    for start in range(0, max(len(accounts), 1), chunk):
        for account in accounts[start : start + chunk]:
            write_account(account_db, account)
        account_db.persist()
    return account_db.state_root
