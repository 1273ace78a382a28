"""The preimage store: only preimages, durable across a kill, deletes that never read, gaps that are loud."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from eth.db.batch import BatchDB
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.merkle import keccak
from fastvm.contentdb import ContentBatch
from fastvm.preimages import BlockView, MissingPreimage, NotContentAddressed, PreimageStore

ROOT = Path(__file__).resolve().parents[2]
BATCH = 200


@settings(max_examples=25, deadline=None)
@given(st.lists(st.binary(max_size=600), max_size=40))
def test_every_stored_value_hashes_to_its_key(tmp_path_factory: pytest.TempPathFactory,
                                              values: list[bytes]) -> None:
    path = tmp_path_factory.mktemp("store") / "p.sqlite"
    store = PreimageStore(path)
    keys = [store.put(value) for value in values]
    store.close()
    reopened = PreimageStore(path)
    entries = dict(reopened.entries_on_disk())
    assert set(entries) == set(keys)
    assert all(keccak(value) == key for key, value in entries.items())
    assert all(reopened[keccak(value)] == value for value in values)


def test_a_write_that_is_not_a_preimage_is_refused() -> None:
    store = PreimageStore()
    with pytest.raises(NotContentAddressed):
        store[keccak(b"a")] = b"b"
    with pytest.raises(NotContentAddressed):
        BlockView(store)[keccak(b"a")] = b"b"


def test_a_missing_key_is_a_distinct_error_naming_it_never_a_key_error() -> None:
    store = PreimageStore()
    key = keccak(b"absent")
    with pytest.raises(MissingPreimage, match=key.hex()) as raised:
        store[key]
    assert not isinstance(raised.value, KeyError) and raised.value.key == key
    assert store.get(key) is None and key not in store
    with pytest.raises(MissingPreimage, match=key.hex()):
        BlockView({})[key]
    with pytest.raises(MissingPreimage, match=key.hex()):
        _ = key in BlockView({})   # a membership miss would let a gap change a result silently


def test_deletes_are_no_ops_that_never_read() -> None:
    store = PreimageStore()
    key = store.put(b"node")
    store.commit()
    del store[key]
    assert store.pop(keccak(b"never stored"), None) is None   # no read, no error
    assert store[key] == b"node"
    view = BlockView({key: b"node"})
    del view[key]
    assert view.pop(keccak(b"never stored"), None) is None
    assert view[key] == b"node"


def test_pruning_through_pop_needs_no_value() -> None:
    """py-evm's batch reads a key before deleting it: on a witness that lacks a pruned node, it stops."""
    view = BlockView({})
    pruned = keccak(b"a node made and dropped within the block")
    with pytest.raises(MissingPreimage):
        BatchDB(view, read_through_deletes=True).pop(pruned, None)
    batch = ContentBatch(view)
    assert batch.pop(pruned, None) is None
    del batch[pruned]
    batch[pruned] = b"a node made and dropped within the block"
    del batch[pruned]
    assert view.writes == {} and view.read == {}


def test_a_torn_entry_is_ignored_then_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    store = PreimageStore(path)
    key = store.put(b"a trie node of some length")
    store.close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE preimages SET value = substr(value, 1, 5) WHERE key = ?", (key,))
    raw.commit()
    raw.close()
    torn = PreimageStore(path)
    assert torn.get(key) is None and torn.corrupt_reads == 1
    with pytest.raises(MissingPreimage):
        torn[key]
    torn.put(b"a trie node of some length")
    torn.close()
    assert PreimageStore(path)[key] == b"a trie node of some length"


WRITER = textwrap.dedent(f"""
    import os, sys
    from fastvm.preimages import PreimageStore
    store = PreimageStore(sys.argv[1])
    batch = 0
    while True:
        for _ in range({BATCH}):
            store.put(os.urandom(64))
        store.commit()
        print(batch, flush=True)
        batch += 1
""")


def test_a_store_killed_mid_write_keeps_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    assert writer.stdout is not None
    committed = [int(writer.stdout.readline()) for _ in range(5)]
    writer.kill()
    writer.wait()
    store = PreimageStore(path)
    entries = dict(store.entries_on_disk())
    assert len(entries) % BATCH == 0 and len(entries) >= BATCH * (committed[-1] + 1)
    assert all(keccak(value) == key for key, value in entries.items())
