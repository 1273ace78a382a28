"""The snapshot store: content addressing, refusal of corrupt files, atomic records."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from swapping.store import CorruptStoreError, Store, atomic_write


def fake_root(data: bytes) -> bytes:
    """A stand-in state-root function: the store only needs some collision-resistant name."""
    return hashlib.sha256(data).digest()


def test_put_then_get_returns_the_same_bytes(tmp_path: Path) -> None:
    store = Store(tmp_path, fake_root)
    root = store.put_state(b"state-one")
    assert root == fake_root(b"state-one")
    assert store.get_state(root) == b"state-one"


def test_a_changed_snapshot_is_refused_by_root(tmp_path: Path) -> None:
    store = Store(tmp_path, fake_root)
    root = store.put_state(b"balance=100")
    store.state_path(root).write_bytes(b"balance=999")
    with pytest.raises(CorruptStoreError, match="corrupt"):
        store.get_state(root)


def test_a_truncated_snapshot_is_refused_by_root(tmp_path: Path) -> None:
    store = Store(tmp_path, fake_root)
    root = store.put_state(b"a longer state encoding")
    store.state_path(root).write_bytes(b"a longer")
    with pytest.raises(CorruptStoreError):
        store.get_state(root)


def test_missing_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path, fake_root)
    with pytest.raises(Exception, match="no snapshot"):
        store.get_state(b"\x00" * 32)


def test_records_round_trip_and_corrupt_records_are_errors(tmp_path: Path) -> None:
    store = Store(tmp_path, fake_root)
    assert store.get_record("check", "k") is None
    store.put_record("check", "k", {"ok": True, "steps": 7})
    assert store.get_record("check", "k") == {"ok": True, "steps": 7}
    store.record_path("check", "k").write_bytes(b'{"ok": tr')
    with pytest.raises(CorruptStoreError):
        store.get_record("check", "k")


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.bin"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_temporaries_of_dead_writers_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """A kill -9 mid-write leaves `.tmp-<pid>-…`; the next store opened on the folder removes it."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    left = tmp_path / "records" / "a" / f".tmp-{dead.stdout.strip()}-abc.json"
    left.parent.mkdir(parents=True)
    left.write_text("{")
    live = tmp_path / "states" / f".tmp-{os.getpid()}-def.s"
    live.parent.mkdir(parents=True)
    live.write_bytes(b"x")
    Store(tmp_path, lambda data: bytes(32))
    assert not left.exists() and live.exists()
