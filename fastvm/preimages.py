"""The preimage store: keccak256(x) -> x on disk, which is both machine A's world and the oracle (spec §6.5).

Trie nodes (state and storage tries), contract code and headers are all keyed by the keccak of their
bytes, so the store is content-addressed: a value can only ever be the preimage of its key, nothing
is ever deleted, and writing an entry twice is harmless. py-evm's database interface is served over
it (``DatabaseAPI``): deletes are no-ops, and a missing key raises MissingPreimage, which is not a
KeyError, so that a gap in the store can never be taken for an absent account or an invalid block.

The file is an sqlite3 database (standard library): one transaction per block makes a block's writes
atomic, a kill leaves the last committed block intact (WAL journal), point lookups stay fast at
10^8 keys, and readers in other processes (replay workers) can share it. A directory of files would
need an inode, a rename and a re-hash per trie node.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eth.db.backends.base import BaseAtomicDB, BaseDB

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from emulator.oracle import STORE_UPSERT

_SCHEMA = "CREATE TABLE IF NOT EXISTS preimages (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID"


class MissingPreimage(SwapvmError):
    """The store or witness lacks the preimage of a key: the host's problem, never a block's outcome."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        super().__init__(f"missing preimage of 0x{key.hex()}: the oracle must be given it")


class NotContentAddressed(ValueError):
    """A write whose key is not the keccak of its value: a programming error (the store holds preimages)."""


def check_preimage(key: bytes, value: bytes) -> None:
    """Refuse an entry whose key is not keccak256(value)."""
    if keccak(value) != key:
        raise NotContentAddressed(f"0x{key.hex()} is not the keccak of its {len(value)}-byte value")


class PreimageStore(BaseAtomicDB):
    """keccak256(x) -> x in an sqlite3 file (in memory with path None); writes wait for commit()."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        try:
            self._db = sqlite3.connect(str(path) if path is not None else ":memory:", isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise SwapvmError(f"cannot open the preimage store {path}: {exc}") from None
        self._pending: dict[bytes, bytes] = {}
        self.corrupt_reads = 0   # entries found not to hash to their key (torn or tampered), ignored

    # -- the oracle's interface ------------------------------------------------------------------------
    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        """The preimage of key, or default; an entry that does not hash to its key counts as absent."""
        value = self._pending.get(key)
        if value is not None:
            return value
        row = self._db.execute("SELECT value FROM preimages WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        value = bytes(row[0])
        if keccak(value) != key:
            self.corrupt_reads += 1
            return default
        return value

    def preimage(self, key: bytes) -> bytes:
        """The preimage of key; MissingPreimage names the key when the store lacks it."""
        value = self.get(key)
        if value is None:
            raise MissingPreimage(key)
        return value

    def put(self, value: bytes) -> bytes:
        """Add a preimage (committed by the next commit()); returns its key."""
        key = keccak(value)
        self._pending[key] = value
        return key

    def put_entries(self, entries: Mapping[bytes, bytes], checked: bool = False) -> None:
        """Add key -> value entries, each checked to be content-addressed unless a view already did."""
        if checked:
            self._pending.update(entries)
            return
        for key, value in entries.items():
            self[key] = value

    def commit(self) -> int:
        """Write every pending entry in one transaction (a block's batch); returns how many were written."""
        count = len(self._pending)
        if count:
            with self._transaction():
                self._db.executemany(STORE_UPSERT, self._pending.items())
            self._pending.clear()
        return count

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT, rolled back on any error."""
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        """Commit what is pending, fold the WAL journal into the file, and close it."""
        self.commit()
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def keys_on_disk(self) -> Iterator[bytes]:
        """Every committed key (for checks and tests)."""
        for (key,) in self._db.execute("SELECT key FROM preimages"):
            yield bytes(key)

    def entries_on_disk(self) -> Iterator[tuple[bytes, bytes]]:
        """Every committed (key, value), unchecked (for the store's own consistency check)."""
        for key, value in self._db.execute("SELECT key, value FROM preimages"):
            yield bytes(key), bytes(value)

    # -- py-evm's DatabaseAPI --------------------------------------------------------------------------
    def __getitem__(self, key: bytes) -> bytes:
        """The preimage; MissingPreimage (not KeyError) when absent."""
        return self.preimage(key)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        """Add an entry; it must be content-addressed."""
        check_preimage(key, value)
        self._pending[key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        """A no-op: content-addressed data is immutable, and another trie may share the node."""

    def pop(self, key: bytes, default: object = None) -> object:  # type: ignore[override]
        """A no-op delete that never reads the value (py-evm prunes through pop)."""
        return default

    def _exists(self, key: bytes) -> bool:
        """Whether the store holds key's preimage."""
        return self.get(key) is not None

    def __len__(self) -> int:
        """Committed and pending entries (pending ones may repeat committed ones)."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM preimages").fetchone()
        return int(count) + len(self._pending)

    @contextmanager
    def atomic_batch(self) -> Iterator[BaseDB]:
        """py-evm's batch: entries reach the pending set only if the block of code succeeds."""
        batch = _Batch(self)
        yield batch
        self._pending.update(batch.entries)


class _Batch(BaseDB):
    """A write batch over a store or a view: reads fall through, deletes are no-ops."""

    def __init__(self, target: BaseDB) -> None:
        self.target = target
        self.entries: dict[bytes, bytes] = {}

    def __getitem__(self, key: bytes) -> bytes:
        """The batch's own entry, else the target's."""
        value = self.entries.get(key)
        return value if value is not None else self.target[key]

    def __setitem__(self, key: bytes, value: bytes) -> None:
        """Add an entry (content-addressed)."""
        check_preimage(key, value)
        self.entries[key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        """A no-op (content-addressed)."""

    def _exists(self, key: bytes) -> bool:
        """Whether the batch or the target holds key."""
        return key in self.entries or key in self.target


@dataclass
class Access:
    """What a block read besides trie nodes: addresses, storage slots, code, and the oldest BLOCKHASH."""

    addresses: set[bytes] = field(default_factory=set)
    slots: dict[bytes, set[int]] = field(default_factory=dict)
    code_hashes: set[bytes] = field(default_factory=set)
    lowest_ancestor: int | None = None   # the smallest block number BLOCKHASH was asked for (in range)

    def slot(self, address: bytes, slot: int) -> None:
        """Note a storage slot read or written."""
        self.addresses.add(address)
        self.slots.setdefault(address, set()).add(slot)

    def ancestor(self, number: int) -> None:
        """Note a BLOCKHASH of block `number`."""
        if self.lowest_ancestor is None or number < self.lowest_ancestor:
            self.lowest_ancestor = number


class BlockView(BaseAtomicDB):
    """One block's view of a preimage source: writes stay in memory, reads of the source are recorded.

    The source is the whole store when A records a witness, or the witness alone when a block is
    re-executed on it; either way a key the source lacks raises MissingPreimage. Reads that the block's
    own writes answer are not recorded: they are computed, not read.
    """

    def __init__(self, source: Mapping[bytes, bytes] | PreimageStore) -> None:
        self.source = source
        self.writes: dict[bytes, bytes] = {}
        self.read: dict[bytes, bytes] = {}   # key -> preimage, in first-read order
        self.recording = True
        self.access = Access()
        self.live_paths = False   # S version 2: the live count reads lookup paths here (fastvm/live.py)

    def stop_recording(self) -> None:
        """Reads from now on are not the block's (A reads its post-state back for S)."""
        self.recording = False

    def __getitem__(self, key: bytes) -> bytes:
        """The block's own write, else the source's preimage (recorded); MissingPreimage if neither."""
        value = self.writes.get(key)
        if value is not None:
            return value
        value = self.source.get(key)
        if value is None:
            raise MissingPreimage(key)
        if self.recording:
            self.read.setdefault(key, value)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        """Keep a content-addressed write in memory (the store receives it when the block is accepted)."""
        check_preimage(key, value)
        self.writes[key] = bytes(value)

    def __delitem__(self, key: bytes) -> None:
        """A no-op (content-addressed)."""

    def pop(self, key: bytes, default: object = None) -> object:  # type: ignore[override]
        """A no-op delete that never reads."""
        return default

    def _exists(self, key: bytes) -> bool:
        """True for a written key or one the source holds (recorded); MissingPreimage otherwise.

        py-evm only asks for hashes it expects to exist; answering False for a key the witness lacks
        would let a gap change the result silently, so a miss is the same error as a failed read."""
        self[key]
        return True

    @contextmanager
    def atomic_batch(self) -> Iterator[BaseDB]:
        """py-evm's batch: entries join the block's writes if the block of code succeeds."""
        batch = _Batch(self)
        yield batch
        self.writes.update(batch.entries)


def verified_entries(values: Iterable[bytes]) -> dict[bytes, bytes]:
    """Preimages keyed by their keccak: the only way a received witness becomes an oracle."""
    return {keccak(value): bytes(value) for value in values}
