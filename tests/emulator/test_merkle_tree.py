"""The one Merkle tree: pristine hashes, subtree and window roots, the cached state tree, multiproofs."""

from __future__ import annotations

import pytest
from Crypto.Hash import keccak as pycryptodome_keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import merkle
from emulator.layout import PAGE_BYTES, RAM_BASE, ROM_BASE, S_BASE, TREE_HEIGHT
from emulator.state import MachineState


def reference_keccak(data: bytes) -> bytes:
    """Keccak-256 through pycryptodome's public API, independent of merkle's fast path."""
    return pycryptodome_keccak.new(digest_bits=256, data=data).digest()


def naive_root(data: bytes, height: int) -> bytes:
    """The root by the definition: recursive halving, no caching, no pristine shortcuts."""
    size = 32 << height
    data = data.ljust(size, b"\0")
    if height == 0:
        return data
    half = size // 2
    return reference_keccak(naive_root(data[:half], height - 1) + naive_root(data[half:], height - 1))


def test_keccak_is_ethereum_keccak() -> None:
    for data in (b"", b"abc", bytes(64), bytes(range(200))):
        assert merkle.keccak(data) == reference_keccak(data)
    assert merkle.keccak(b"") != __import__("hashlib").sha3_256(b"").digest()   # not SHA3-256


def test_pristine_hashes_follow_their_definition() -> None:
    assert merkle.pristine(0) == bytes(32)
    for h in range(TREE_HEIGHT):
        assert merkle.pristine(h + 1) == reference_keccak(merkle.pristine(h) * 2)
    with pytest.raises(ValueError):
        merkle.pristine(TREE_HEIGHT + 1)


@given(data=st.binary(max_size=32 * 16), height=st.integers(4, 9))
def test_subtree_root_matches_the_definition(data: bytes, height: int) -> None:
    assert merkle.subtree_root(data, height) == naive_root(data, height)


def test_window_root_of_small_data_extends_with_pristine_nodes() -> None:
    data = bytes(range(100))
    low = naive_root(data, 7)
    expected = low
    for h in range(7, 25):
        expected = reference_keccak(expected + merkle.pristine(h))
    assert merkle.window_root(data) == expected
    assert merkle.window_root(b"") == merkle.pristine(25)


@settings(max_examples=30, deadline=None)
@given(writes=st.lists(st.tuples(st.sampled_from([RAM_BASE, S_BASE, ROM_BASE, 0, 0xFFFF_F000]),
                                 st.integers(0, 3 * PAGE_BYTES), st.binary(min_size=1, max_size=80)),
                       min_size=1, max_size=8))
def test_incremental_root_equals_root_from_scratch(writes: list[tuple[int, int, bytes]]) -> None:
    state = MachineState()
    for base, offset, data in writes:
        addr = min(base + offset, (1 << 32) - len(data))
        state.write(addr, data)
        state.root()                                    # interleave caching with writes
    fresh = MachineState({n: bytes(p) for n, p in state.pages.items()})
    assert state.root() == fresh.root()
    windows = [merkle.sparse_root({n: merkle.subtree_root(bytes(p), 7) for n, p in state.pages.items()
                                   if n >> 18 == w}, 7, 25) for w in range(4)]
    assert state.root() == merkle.hash_pair(merkle.hash_pair(windows[0], windows[1]),
                                            merkle.hash_pair(windows[2], windows[3]))


def test_s_window_node_is_the_window_root_of_its_bytes() -> None:
    state = MachineState()
    payload = bytes(range(256)) * 40
    state.write(S_BASE, payload)
    state.write(RAM_BASE, b"other windows do not matter")
    assert state.node(25, 1) == merkle.window_root(payload)


def test_nodes_below_page_height_and_zeroed_pages() -> None:
    state = MachineState()
    state.write(RAM_BASE + 64, b"\x07" * 32)
    leaf = RAM_BASE // 32 + 2
    assert state.node(0, leaf) == b"\x07" * 32
    assert state.node(1, leaf // 2) == reference_keccak(b"\x07" * 32 + bytes(32))
    state.write(RAM_BASE + 64, bytes(32))
    assert state.root() == MachineState().root()        # a page written back to zero is pristine again


@settings(max_examples=25, deadline=None)
@given(leaves=st.sets(st.integers(0, (1 << 27) - 1), min_size=1, max_size=12))
def test_multiproof_recomputes_the_root(leaves: set[int]) -> None:
    state = MachineState()
    for index in sorted(leaves)[::2]:
        state.write(index * 32, index.to_bytes(32, "little"))
    siblings = state.multiproof(leaves)
    assert len(siblings) == len(merkle.sibling_positions(leaves))
    known = {index: state.leaf(index) for index in leaves}
    assert merkle.root_from_proof(known, siblings) == state.root()
    with pytest.raises(merkle.SiblingCountError):
        merkle.root_from_proof(known, siblings[:-1])
    with pytest.raises(merkle.SiblingCountError):
        merkle.root_from_proof(known, [*siblings, siblings[0]])


def test_single_leaf_proof_has_one_sibling_per_level() -> None:
    state = MachineState()
    state.write(S_BASE, b"x")
    assert len(state.leaf_proof(S_BASE // 32)) == TREE_HEIGHT


def test_override_replaces_a_whole_subtree() -> None:
    state = MachineState()
    state.write(RAM_BASE, b"q")
    state.write(S_BASE, b"s")
    other = MachineState()
    other.write(S_BASE, b"s")
    other.write(0, b"the new Q")
    leaves = {RAM_BASE // 32: state.leaf(RAM_BASE // 32)}
    root = merkle.root_from_proof(leaves, state.multiproof(leaves), {(25, 0): other.node(25, 0)})
    assert root == other.root()


def test_copy_is_independent() -> None:
    state = MachineState()
    state.write(RAM_BASE, b"a")
    twin = state.copy()
    twin.write(RAM_BASE, b"b")
    assert state.read(RAM_BASE, 1) == b"a"
    assert state.root() != twin.root()
    assert state.root() == MachineState({RAM_BASE >> 12: bytes(state.pages[RAM_BASE >> 12])}).root()


def test_accesses_outside_the_space_are_refused() -> None:
    state = MachineState()
    with pytest.raises(ValueError):
        state.read((1 << 32) - 4, 8)
    with pytest.raises(ValueError):
        state.write(-1, b"x")
    with pytest.raises(ValueError):
        state.set_page(1 << 20, bytes(PAGE_BYTES))


def test_keccak_is_correct_under_concurrent_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    inputs = [bytes([k % 256]) * (k % 90) for k in range(2000)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = list(pool.map(merkle.keccak, inputs))
    assert digests == [reference_keccak(data) for data in inputs]
