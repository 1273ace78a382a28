"""The lookup paths the live-byte rule counts on S version 2 (spec §4.9, "S version 2's heap").

The guest's partial trie holds the nodes on the paths of the keys it reads; the count charges, per
account or slot first touched in a block, the nodes on its lookup path in the trie as the block
found it: a canonical quantity of the pre-state trie, read here through A's block view (so the nodes
are in the block's witness) and by the guest with its own lookup (guest/src/mpt.c, mpt_stats.path).
"""

from __future__ import annotations

from collections.abc import Mapping

import rlp
from eth_hash.auto import keccak

BLANK_ROOT = keccak(rlp.encode(b""))
_EMPTY_NODE = b""


def _nibbles(key: bytes) -> list[int]:
    """A key's nibbles, high nibble first."""
    return [n for byte in key for n in (byte >> 4, byte & 15)]


def _compact(path: bytes) -> tuple[list[int], bool]:
    """A leaf's or extension's hex-prefix path: its nibbles, and whether it is a leaf."""
    flag = path[0] >> 4
    nibbles = _nibbles(path[1:])
    if flag & 1:
        nibbles.insert(0, path[0] & 15)
    return nibbles, bool(flag & 2)


def path_nodes(source: Mapping[bytes, bytes], root: bytes, key: bytes) -> tuple[int, bytes | None]:
    """The nodes a lookup of `key` reaches from `root` (embedded ones included), and the value found.

    The walk is the guest's get_at: a branch goes on by the key's next nibble, a leaf or extension
    stops unless its path is a prefix of what is left of the key, an empty child stops."""
    if root == BLANK_ROOT:
        return 0, None
    node: object = rlp.decode(source[root])
    key_left = _nibbles(key)
    count = 0
    while True:
        count += 1
        assert isinstance(node, list)
        if len(node) == 17:
            if not key_left:
                return count, node[16] or None
            child = node[key_left[0]]
            key_left = key_left[1:]
        else:
            path, leaf = _compact(node[0])
            if key_left[:len(path)] != path:
                return count, None
            if leaf:
                return count, (node[1] or None) if len(key_left) == len(path) else None
            child = node[1]
            key_left = key_left[len(path):]
        if child == _EMPTY_NODE:
            return count, None
        node = rlp.decode(source[child]) if isinstance(child, bytes) else child


class PathCounter:
    """The path lengths of one block's first touched accounts and slots in its pre-state trie."""

    def __init__(self, source: Mapping[bytes, bytes], state_root: bytes) -> None:
        self.source = source
        self.state_root = state_root
        self.storage_roots: dict[bytes, bytes] = {}

    def account(self, address: bytes) -> int:
        """The nodes on the lookup path of `address` in the state trie."""
        return self._account(address)[0]

    def _account(self, address: bytes) -> tuple[int, bytes]:
        """The path's nodes and the account's storage root (the empty trie's when absent)."""
        nodes, value = path_nodes(self.source, self.state_root, keccak(address))
        storage_root = BLANK_ROOT
        if value is not None:
            storage_root = rlp.decode(value)[2]
        self.storage_roots[address] = storage_root
        return nodes, storage_root

    def slot(self, address: bytes, slot: int) -> int:
        """The nodes on the lookup path of `slot` in the storage trie `address` had before the block."""
        root = self.storage_roots.get(address)
        if root is None:
            root = self._account(address)[1]
        return path_nodes(self.source, root, keccak(slot.to_bytes(32, "big")))[0]
