"""A content-addressed, crash-safe store for essential-state snapshots and run records.

States are stored by their S root and verified by root on every read, so a corrupt or
planted file is refused instead of trusted. Every write is atomic (temporary file, fsync,
rename), so a run killed at any point leaves either the old file or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError


class CorruptStoreError(SwapvmError):
    """A stored file does not hash to the name it is stored under, or cannot be parsed."""


TEMP_PREFIX = ".tmp-"   # then the writer's pid: a file being written, or left by a writer that died


def _writer_alive(temporary: Path) -> bool:
    """Whether the process that began writing a temporary file still runs (then the file is in use)."""
    try:
        pid = int(temporary.name[len(TEMP_PREFIX):].split("-", 1)[0])
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # pragma: no cover - another user's live process
        return True
    return True


def sweep_temporaries(folder: Path) -> int:
    """Remove the temporary files that writers killed mid-write left under folder; returns how many."""
    removed = 0
    for temporary in folder.rglob(f"{TEMP_PREFIX}*"):
        if not _writer_alive(temporary):
            temporary.unlink(missing_ok=True)
            removed += 1
    return removed


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    """Snapshots named by S root under `states/`, JSON records under `records/<kind>/`."""

    def __init__(self, root: Path | str, state_root_of: Callable[[bytes], bytes]) -> None:
        self.root = Path(root)
        self._state_root_of = state_root_of
        (self.root / "states").mkdir(parents=True, exist_ok=True)
        (self.root / "records").mkdir(parents=True, exist_ok=True)
        (self.root / "witnesses").mkdir(parents=True, exist_ok=True)
        sweep_temporaries(self.root)

    # --- states ---------------------------------------------------------------------------
    def state_path(self, s_root: bytes) -> Path:
        """Where the snapshot with this S root lives."""
        return self.root / "states" / f"{s_root.hex()}.s"

    def put_state(self, encoded: bytes) -> bytes:
        """Store an encoded state; returns its S root. Idempotent, and heals a damaged file of that name."""
        s_root = self._state_root_of(encoded)
        path = self.state_path(s_root)
        try:
            intact = path.read_bytes() == encoded
        except FileNotFoundError:
            intact = False
        if not intact:
            atomic_write(path, encoded)
        return s_root

    def has_state(self, s_root: bytes) -> bool:
        """Whether a snapshot file exists under this root (not yet verified)."""
        return self.state_path(s_root).exists()

    def get_state(self, s_root: bytes) -> bytes:
        """Read a snapshot and check that it hashes to its name."""
        path = self.state_path(s_root)
        try:
            encoded = path.read_bytes()
        except FileNotFoundError:
            raise SwapvmError(f"store {self.root}: no snapshot {s_root.hex()}") from None
        actual = self._state_root_of(encoded)
        if actual != s_root:
            raise CorruptStoreError(
                f"store {self.root}: snapshot {path.name} is corrupt: its S root is {actual.hex()}"
            )
        return encoded

    # --- witnesses (S version 2) ------------------------------------------------------------
    def witness_path(self, digest: str) -> Path:
        """Where the key list of the witness with this digest lives."""
        return self.root / "witnesses" / f"{digest}.keys"

    def put_witness(self, keys: bytes) -> str:
        """Store a witness's sorted key list (its preimages are in the preimage store); returns its digest."""
        digest = hashlib.sha256(keys).hexdigest()
        path = self.witness_path(digest)
        try:
            intact = path.read_bytes() == keys
        except FileNotFoundError:
            intact = False
        if not intact:
            atomic_write(path, keys)
        return digest

    def get_witness(self, digest: str) -> bytes:
        """A witness's key list, checked to hash to its digest."""
        path = self.witness_path(digest)
        try:
            keys = path.read_bytes()
        except FileNotFoundError:
            raise SwapvmError(f"store {self.root}: no witness {digest}") from None
        if hashlib.sha256(keys).hexdigest() != digest:
            raise CorruptStoreError(f"store {self.root}: witness {path.name} is corrupt: it does not hash to "
                                    "its name")
        return keys

    # --- records --------------------------------------------------------------------------
    def record_path(self, kind: str, key: str) -> Path:
        """Where the JSON record `key` of one kind lives."""
        return self.root / "records" / kind / f"{key}.json"

    def put_record(self, kind: str, key: str, record: dict[str, Any]) -> None:
        """Atomically store one JSON record."""
        data = json.dumps(record, sort_keys=True, indent=1).encode()
        atomic_write(self.record_path(kind, key), data)

    def get_record(self, kind: str, key: str) -> dict[str, Any] | None:
        """A stored record, or None if absent; an unparsable record is an error, not a miss."""
        path = self.record_path(kind, key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            record = json.loads(data)
        except json.JSONDecodeError as exc:
            raise CorruptStoreError(f"store {self.root}: record {path} is corrupt: {exc.msg}") from None
        if not isinstance(record, dict):
            raise CorruptStoreError(f"store {self.root}: record {path} is not a JSON object")
        return record
