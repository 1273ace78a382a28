"""The S root of successive images, re-hashing only the paths above the 32-byte leaves that changed.

The tree and its hashing are emulator.merkle's (hash_pair, pristine hashes); this module only keeps
the previous image's node rows, like the emulator's dirty-page cache but at leaf granularity.
"""

from __future__ import annotations

from emulator.layout import LEAF_BYTES, PAGE_BYTES, WINDOW_HEIGHT
from emulator.merkle import PRISTINE, hash_pair


def _changed_leaves(old: bytes, new: bytes) -> set[int]:
    """Indices of the leaves whose bytes differ between two images (compared page by page first)."""
    common = min(len(old), len(new))
    dirty: set[int] = set()
    for page in range(0, common, PAGE_BYTES):
        end = min(page + PAGE_BYTES, common)
        if old[page:end] == new[page:end]:
            continue
        for leaf in range(page, end, LEAF_BYTES):
            if old[leaf : leaf + LEAF_BYTES] != new[leaf : leaf + LEAF_BYTES]:
                dirty.add(leaf // LEAF_BYTES)
    longest = max(len(old), len(new))
    dirty.update(range(common // LEAF_BYTES, (longest + LEAF_BYTES - 1) // LEAF_BYTES))
    return dirty


class RootCache:
    """window_root(image) for a sequence of images; keeps one image's dense node rows (heights 0–25)."""

    def __init__(self) -> None:
        self._image = b""
        self._rows: list[list[bytes]] = [[] for _ in range(WINDOW_HEIGHT + 1)]

    def root(self, image: bytes) -> bytes:
        """Exactly emulator.merkle.window_root(image)."""
        dirty = _changed_leaves(self._image, image)
        leaves = self._rows[0]
        old_length = len(leaves)
        new_length = (len(image) + LEAF_BYTES - 1) // LEAF_BYTES
        del leaves[new_length:]
        for index in sorted(i for i in dirty if i < new_length):
            leaf = image[index * LEAF_BYTES : (index + 1) * LEAF_BYTES].ljust(LEAF_BYTES, b"\x00")
            if index < len(leaves):
                leaves[index] = leaf
            else:
                leaves.append(leaf)
        for height in range(WINDOW_HEIGHT):
            dirty, old_length = self._level_up(height, dirty, old_length)
        self._image = image
        top = self._rows[WINDOW_HEIGHT]
        return top[0] if top else PRISTINE[WINDOW_HEIGHT]

    def _level_up(self, height: int, dirty: set[int], old_length: int) -> tuple[set[int], int]:
        """Recompute the parents of the dirty nodes at `height`; return their dirty set and old row length."""
        row, parents_row = self._rows[height], self._rows[height + 1]
        parents_old_length = len(parents_row)
        length = (len(row) + 1) // 2
        del parents_row[length:]
        parents = {i >> 1 for i in dirty}
        if len(row) != old_length and length:
            parents.add(length - 1)  # the last pair may have gained or lost its right child
        for index in sorted(i for i in parents if i < length):
            right = row[2 * index + 1] if 2 * index + 1 < len(row) else PRISTINE[height]
            node = hash_pair(row[2 * index], right)
            if index < len(parents_row):
                parents_row[index] = node
            else:
                parents_row.append(node)
        return parents, parents_old_length
