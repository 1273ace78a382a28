"""The machine state: a sparse 2^32-byte memory of 4 KiB pages with a cached, incrementally updated tree.

Page hashes and every node above them are cached; a write marks its page dirty and the next
root() re-hashes dirty pages only (spec §2.5). Absent pages and absent nodes are pristine.
"""

from __future__ import annotations

from emulator import merkle
from emulator.layout import (
    ADDRESS_BITS,
    LEAF_BITS,
    LEAF_BYTES,
    PAGE_BITS,
    PAGE_BYTES,
    PAGE_HEIGHT,
    TREE_HEIGHT,
)

ADDRESS_LIMIT = 1 << ADDRESS_BITS
PAGE_COUNT = 1 << (ADDRESS_BITS - PAGE_BITS)
_ZERO_PAGE = bytes(PAGE_BYTES)
_MASK64 = (1 << 64) - 1


class MachineState:
    """Sparse memory (page number -> 4096 bytes, absent = zero) plus the cached tree above the pages."""

    def __init__(self, pages: dict[int, bytes | bytearray] | None = None) -> None:
        """Start from the given pages (copied), or an all-zero machine."""
        self.pages: dict[int, bytearray] = {}
        self.dirty: set[int] = set()
        # _levels[k] holds the non-pristine nodes at height PAGE_HEIGHT + k (k = 0: page hashes).
        self._levels: list[dict[int, bytes]] = [{} for _ in range(TREE_HEIGHT - PAGE_HEIGHT + 1)]
        for number, data in (pages or {}).items():
            self.set_page(number, data)

    # --- bytes ----------------------------------------------------------------------------------
    def read(self, addr: int, n: int) -> bytes:
        """n bytes at addr (zero where no page exists)."""
        if addr < 0 or addr + n > ADDRESS_LIMIT:
            raise ValueError(f"read of {n} bytes at {addr:#x} leaves the address space")
        out = bytearray()
        while n > 0:
            number, offset = addr >> PAGE_BITS, addr & (PAGE_BYTES - 1)
            chunk = min(n, PAGE_BYTES - offset)
            page = self.pages.get(number)
            out += page[offset : offset + chunk] if page is not None else bytes(chunk)
            addr, n = addr + chunk, n - chunk
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        """Store data at addr, creating pages as needed and marking them dirty."""
        if addr < 0 or addr + len(data) > ADDRESS_LIMIT:
            raise ValueError(f"write of {len(data)} bytes at {addr:#x} leaves the address space")
        view = memoryview(bytes(data))
        while view:
            number, offset = addr >> PAGE_BITS, addr & (PAGE_BYTES - 1)
            chunk = min(len(view), PAGE_BYTES - offset)
            page = self.pages.get(number)
            if page is None:
                page = self.pages[number] = bytearray(PAGE_BYTES)
            page[offset : offset + chunk] = view[:chunk]
            self.dirty.add(number)
            addr, view = addr + chunk, view[chunk:]

    def read_u64(self, addr: int) -> int:
        """The little-endian u64 at addr."""
        return int.from_bytes(self.read(addr, 8), "little")

    def write_u64(self, addr: int, value: int) -> None:
        """Store value (taken mod 2^64) as a little-endian u64 at addr."""
        self.write(addr, (value & _MASK64).to_bytes(8, "little"))

    def set_page(self, number: int, data: bytes | bytearray) -> None:
        """Replace one whole page (engines copy pages in); marks it dirty."""
        if not 0 <= number < PAGE_COUNT:
            raise ValueError(f"page number {number:#x} outside the address space")
        if len(data) != PAGE_BYTES:
            raise ValueError(f"a page is {PAGE_BYTES} bytes, got {len(data)}")
        self.pages[number] = bytearray(data)
        self.dirty.add(number)

    def clear_pages(self, first: int, end: int) -> None:
        """Drop every page numbered in [first, end): that memory becomes zero."""
        for number in [p for p in self.pages if first <= p < end]:
            del self.pages[number]
            self.dirty.add(number)

    def nonzero_pages(self) -> dict[int, bytes]:
        """The pages that hold any non-zero byte, as immutable bytes (what snapshots store)."""
        return {n: bytes(p) for n, p in sorted(self.pages.items()) if p != _ZERO_PAGE}

    def leaf(self, index: int) -> bytes:
        """The 32 raw bytes of leaf `index` (address index * 32)."""
        return self.read(index << LEAF_BITS, LEAF_BYTES)

    # --- tree -----------------------------------------------------------------------------------
    def _flush(self) -> None:
        """Re-hash dirty pages and the paths above them."""
        if not self.dirty:
            return
        row = self._levels[0]
        changed: set[int] = set()
        for number in self.dirty:
            page = self.pages.get(number)
            digest = merkle.subtree_root(bytes(page), PAGE_HEIGHT) if page is not None else None
            if digest is None or digest == merkle.PRISTINE[PAGE_HEIGHT]:
                row.pop(number, None)
            else:
                row[number] = digest
            changed.add(number)
        self.dirty.clear()
        for k in range(1, len(self._levels)):
            below, here, zero = self._levels[k - 1], self._levels[k], merkle.PRISTINE[PAGE_HEIGHT + k - 1]
            parents = {i >> 1 for i in changed}
            for i in parents:
                left, right = below.get(2 * i), below.get(2 * i + 1)
                if left is None and right is None:
                    here.pop(i, None)
                else:
                    here[i] = merkle.hash_pair(left or zero, right or zero)
            changed = parents

    def root(self) -> bytes:
        """The machine root (height 27); re-hashes dirty pages only."""
        return self.node(TREE_HEIGHT, 0)

    def node(self, height: int, index: int) -> bytes:
        """Any node of the tree: the root of the subtree at (height, index); e.g. Q/S/ROM = (25, 0/1/2)."""
        if not 0 <= height <= TREE_HEIGHT or not 0 <= index < 1 << (TREE_HEIGHT - height):
            raise ValueError(f"no node ({height}, {index}) in the machine tree")
        if height >= PAGE_HEIGHT:
            self._flush()
            return self._levels[height - PAGE_HEIGHT].get(index, merkle.PRISTINE[height])
        page = self.pages.get(index >> (PAGE_HEIGHT - height))
        if page is None:
            return merkle.PRISTINE[height]
        size = LEAF_BYTES << height
        offset = (index * size) & (PAGE_BYTES - 1)
        return merkle.subtree_root(bytes(page[offset : offset + size]), height)

    def leaf_proof(self, index: int) -> list[bytes]:
        """The 27 sibling hashes of one leaf, bottom up."""
        return self.multiproof([index])

    def multiproof(self, leaf_indices: list[int] | set[int]) -> list[bytes]:
        """Sibling hashes for a set of leaves in the canonical order of spec §2.6."""
        return merkle.multiproof(self.node, leaf_indices)

    def copy(self) -> MachineState:
        """An independent copy (pages and the tree cache)."""
        other = MachineState.__new__(MachineState)
        other.pages = {n: bytearray(p) for n, p in self.pages.items()}
        other.dirty = set(self.dirty)
        other._levels = [dict(level) for level in self._levels]
        return other
