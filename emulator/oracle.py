"""The preimage oracle (spec §2.4, ECALL 1001): keccak256(x) -> x, part of a machine's environment.

The oracle is content-addressed and immutable; it is handed to an engine next to the state and is
never part of the machine root. A key the oracle does not hold is not a machine state: the engine
stops with PreimageMissing (a host error naming the key) and leaves the state as before the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from emulator.errors import SwapvmError
from emulator.layout import FD_HINT, LEAF_BYTES
from emulator.merkle import keccak

KEY_BYTES = 32


class PreimageMissing(SwapvmError):
    """The guest asked for a preimage the oracle does not hold: the host stops, the state is kept."""

    def __init__(self, key: bytes) -> None:
        """Name the key in the one-line message."""
        super().__init__(f"preimage oracle: no preimage for key 0x{key.hex()}")
        self.key = key


class PreimageOracle(Protocol):
    """What an engine asks: the preimage of a 32-byte key, or None."""

    def get(self, key: bytes) -> bytes | None:
        """The bytes whose keccak256 is key, or None if the oracle does not hold them."""
        ...


class DictOracle:
    """An in-memory oracle; every preimage is stored under its own keccak256."""

    def __init__(self, preimages: Iterable[bytes] = ()) -> None:
        """Hold the given preimages."""
        self.preimages: dict[bytes, bytes] = {}
        for data in preimages:
            self.add(data)

    def add(self, data: bytes) -> bytes:
        """Store data; its key."""
        key = keccak(bytes(data))
        self.preimages[key] = bytes(data)
        return key

    def get(self, key: bytes) -> bytes | None:
        """The preimage of key, or None."""
        return self.preimages.get(bytes(key))


class DirectoryOracle:
    """An oracle on disk: one file per preimage, named by the key's 64 lower-case hex digits."""

    def __init__(self, directory: Path) -> None:
        """Serve the files of directory (which must exist)."""
        if not directory.is_dir():
            raise SwapvmError(f"preimage directory {directory} does not exist")
        self.directory = directory

    def get(self, key: bytes) -> bytes | None:
        """The preimage of key, or None; a file whose bytes do not hash to its name is refused."""
        path = self.directory / bytes(key).hex()
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if keccak(data) != key:
            raise SwapvmError(f"preimage file {path} does not hash to its name")
        return data

    def add(self, data: bytes) -> bytes:
        """Write data into the directory under its key; the key."""
        key = keccak(bytes(data))
        (self.directory / key.hex()).write_bytes(data)
        return key


# The store's one write (spec §6.5): a torn or tampered entry is replaced, a good one left alone.
STORE_UPSERT = ("INSERT INTO preimages (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value != excluded.value")


class StoreOracle:
    """An oracle over a store folder's `preimages.sqlite` (machine A's preimage store, spec §6.5),
    read-only but for `add`; an entry that does not hash to its key counts as absent, as in the store."""

    FILE = "preimages.sqlite"

    def __init__(self, directory: Path) -> None:
        """Open DIR/preimages.sqlite read-only (it must exist)."""
        import sqlite3

        path = directory / self.FILE
        if not path.is_file():
            raise SwapvmError(f"{directory} holds no {self.FILE}")
        try:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise SwapvmError(f"cannot open {path}: {exc}") from None
        self.path = path

    def add(self, data: bytes) -> bytes:
        """Write data under its keccak256 (a kept hint, `riscv run --keep-hints`) in a connection of its
        own, committed at once; the key."""
        import sqlite3

        key = keccak(bytes(data))
        try:
            with sqlite3.connect(self.path) as db:
                db.execute(STORE_UPSERT, (key, bytes(data)))
        except sqlite3.Error as exc:
            raise SwapvmError(f"cannot write {self.path}: {exc}") from None
        return key

    def get(self, key: bytes) -> bytes | None:
        """The preimage of key, or None."""
        row = self._db.execute("SELECT value FROM preimages WHERE key = ?", (bytes(key),)).fetchone()
        if row is None or keccak(bytes(row[0])) != key:
            return None
        return bytes(row[0])


class Hints:
    """The preimages a guest hinted (ECALL 64 on fd 3, spec §2.4), in the order written.

    Advisory, as Cannon's hint channel: the host keys each payload by its own keccak256, so a wrong
    hint is only the preimage of its own hash and can never poison an oracle. `output` is an engine's
    output callback (every other fd is ignored)."""

    def __init__(self) -> None:
        """No hints yet."""
        self.payloads: list[bytes] = []

    def output(self, fd: int, data: bytes) -> None:
        """An engine's output callback: keep the payloads of fd 3."""
        if fd == FD_HINT:
            self.payloads.append(bytes(data))

    def keep(self, add: Callable[[bytes], object]) -> int:
        """Hand every payload to add (an oracle's or store's add/put, which keys it by its keccak256),
        then forget them; how many were handed."""
        count = len(self.payloads)
        for data in self.payloads:
            add(data)
        self.payloads.clear()
        return count


def lookup(oracle: PreimageOracle | None, key: bytes) -> bytes:
    """The preimage of key; PreimageMissing if the oracle (None: an empty one) lacks it."""
    data = oracle.get(key) if oracle is not None else None
    if data is None:
        raise PreimageMissing(key)
    return data


def part_length(offset: int, dst: int, want: int, length: int) -> int:
    """n = min(want, 32 - dst mod 32, length - offset if offset < length else 0) (spec §2.4)."""
    available = length - offset if offset < length else 0
    return min(want, LEAF_BYTES - dst % LEAF_BYTES, available)
