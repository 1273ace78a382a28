"""The S root of successive images, re-hashing only the 4 KiB pages whose bytes changed.

The hashing is emulator.merkle's (page subtrees and the levels above); this module only remembers
page hashes by page content, like the emulator's dirty-page cache.
"""

from __future__ import annotations

from emulator.layout import PAGE_BYTES, PAGE_HEIGHT, WINDOW_HEIGHT
from emulator.merkle import PRISTINE, level_up, subtree_root


class RootCache:
    """window_root(image) for a sequence of images; memory bounded by the pages of the last image."""

    def __init__(self) -> None:
        self._pages: dict[bytes, bytes] = {}

    def root(self, image: bytes) -> bytes:
        """Exactly emulator.merkle.window_root(image)."""
        previous, current = self._pages, {}
        row = []
        for offset in range(0, len(image), PAGE_BYTES):
            page = image[offset : offset + PAGE_BYTES]
            digest = previous.get(page)
            if digest is None:
                digest = subtree_root(page, PAGE_HEIGHT)
            current[page] = digest
            row.append(digest)
        self._pages = current
        if not row:
            return PRISTINE[WINDOW_HEIGHT]
        for height in range(PAGE_HEIGHT, WINDOW_HEIGHT):
            row = level_up(row, height)
        return row[0]
