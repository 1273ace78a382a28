"""The inbox of S version 2 (spec §6.2): a trie rlp(i) -> rlp(raw block i); root in S, nodes in the oracle.

The value is the raw block wrapped as one RLP string, so that every byte string, the empty one included,
is a block the inbox can hold (an empty trie value would mean "absent").
"""

from __future__ import annotations

import rlp
from eth_hash.auto import keccak
from trie import HexaryTrie

from fastvm.state_v2 import Inbox


class InboxTrie:
    """The inbox's trie over a node mapping (keccak(node) -> node) that the oracle serves."""

    def __init__(self, nodes: dict[bytes, bytes] | None = None, inbox: Inbox | None = None) -> None:
        self.nodes: dict[bytes, bytes] = {} if nodes is None else nodes
        self._trie = HexaryTrie(self.nodes, inbox.root if inbox else HexaryTrie.BLANK_NODE_HASH)
        self.length = inbox.length if inbox else 0

    @property
    def inbox(self) -> Inbox:
        """The commitment S holds."""
        return Inbox(self._trie.root_hash, self.length)

    def append(self, raw_block: bytes) -> Inbox:
        """Add one block at index `length`; returns the new commitment."""
        self._trie[rlp.encode(self.length)] = rlp.encode(raw_block)
        self.length += 1
        return self.inbox

    def block(self, index: int) -> bytes:
        """Block `index`, read through the trie's nodes (KeyError when a node is missing)."""
        if not 0 <= index < self.length:
            raise IndexError(f"inbox block {index} is outside 0..{self.length - 1}")
        return rlp.decode(self._trie[rlp.encode(index)])

    def proof(self, index: int) -> list[bytes]:
        """The nodes on the path from the root to block `index`: what a worker's oracle needs to read it."""
        return [rlp.encode(node) for node in self._trie.get_proof(rlp.encode(index))]


def build_inbox(blocks: list[bytes]) -> tuple[Inbox, dict[bytes, bytes]]:
    """The commitment and the nodes of an inbox holding `blocks` in order."""
    trie = InboxTrie()
    for raw in blocks:
        trie.append(raw)
    return trie.inbox, trie.nodes


def node_key(node: bytes) -> bytes:
    """The oracle key of a trie node (or any preimage): its keccak256."""
    return keccak(node)
