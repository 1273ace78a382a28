"""Trie roots (guest/src/trie.c) against the `trie` package's HexaryTrie, and the logs bloom
(guest/src/bloom.c) against a direct computation from its definition and py-evm's receipts."""

from __future__ import annotations

import rlp
from core_driver import OP_BLOOM, OP_TRIE_INDEXED, OP_TRIE_ROOT, NativeDriver, blob, u64
from Crypto.Hash import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie


def keccak256(data: bytes) -> bytes:
    """pycryptodome's Keccak-256."""
    return keccak.new(digest_bits=256, data=data).digest()


def hexary_root(pairs: list[tuple[bytes, bytes]]) -> bytes:
    """Oracle: insert the pairs in order into a HexaryTrie (an empty value deletes)."""
    t = HexaryTrie(db={})
    for k, v in pairs:
        t[k] = v
    return t.root_hash


def c_root(core: NativeDriver, pairs: list[tuple[bytes, bytes]]) -> bytes:
    """The guest's root of the same pairs, in the same order."""
    status, out = core.call(OP_TRIE_ROOT, u64(len(pairs)) + b"".join(blob(k) + blob(v) for k, v in pairs))
    assert status == 0
    return out


# Short keys over a tiny alphabet make shared prefixes, keys that are prefixes of others
# (branch values) and duplicates likely; tiny values make nodes shorter than 32 bytes (inlined).
short_keys = st.binary(max_size=4).map(lambda b: bytes(x & 0x11 for x in b))
values = st.one_of(st.binary(max_size=3), st.binary(max_size=40), st.binary(min_size=1, max_size=100))


def test_empty_and_single(core: NativeDriver) -> None:
    assert c_root(core, []) == keccak256(b"\x80") == hexary_root([])
    assert c_root(core, [(b"k", b"")]) == hexary_root([])
    for k, v in [(b"", b"v"), (b"\x01", b"\x02"), (b"abc", b"x" * 40)]:
        assert c_root(core, [(k, v)]) == hexary_root([(k, v)])


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(short_keys, values), max_size=20))
def test_small_tries(core: NativeDriver, pairs: list[tuple[bytes, bytes]]) -> None:
    assert c_root(core, pairs) == hexary_root(pairs)


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(st.binary(min_size=32, max_size=32), values), max_size=60))
def test_secure_shaped_tries(core: NativeDriver, pairs: list[tuple[bytes, bytes]]) -> None:
    """32-byte hashed keys, as in the state and storage tries."""
    hashed = [(keccak256(k), v) for k, v in pairs]
    assert c_root(core, hashed) == hexary_root(hashed)


@settings(max_examples=30, deadline=None)
@given(items=st.lists(st.binary(min_size=1, max_size=120), max_size=300))
def test_index_keyed_tries(core: NativeDriver, items: list[bytes]) -> None:
    """Transactions/receipts-shaped tries: key rlp(index), across the 0x7f/0x80 boundary."""
    pairs = [(rlp.encode(i), v) for i, v in enumerate(items)]
    assert c_root(core, pairs) == hexary_root(pairs)
    indexed = core.call(OP_TRIE_INDEXED, u64(len(items)) + b"".join(blob(v) for v in items))
    assert indexed == (0, hexary_root(pairs))


def bloom_of(entries: list[bytes]) -> bytes:
    """Oracle: the Yellow Paper's M3:2048, written directly."""
    bits = 0
    for e in entries:
        h = keccak256(e)
        for i in (0, 2, 4):
            bits |= 1 << (((h[i] << 8) | h[i + 1]) & 2047)
    return bits.to_bytes(256, "big")


@settings(max_examples=100, deadline=None)
@given(entries=st.lists(st.binary(max_size=40), max_size=10))
def test_bloom(core: NativeDriver, entries: list[bytes]) -> None:
    arg = u64(len(entries)) + b"".join(blob(e) for e in entries)
    assert core.call(OP_BLOOM, arg) == (0, bloom_of(entries))


def test_bloom_matches_py_evm(core: NativeDriver) -> None:
    """A second, independent oracle: py-evm's Receipt.bloom of one log."""
    from eth.rlp.logs import Log
    from eth.rlp.receipts import Receipt

    address, topics = b"\x11" * 20, [3, 2**256 - 1]
    receipt = Receipt(state_root=b"\x01", gas_used=1, logs=[Log(address, topics, b"data")])
    entries = [address] + [t.to_bytes(32, "big") for t in topics]
    status, out = core.call(OP_BLOOM, u64(len(entries)) + b"".join(blob(e) for e in entries))
    assert (status, int.from_bytes(out, "big")) == (0, receipt.bloom)
