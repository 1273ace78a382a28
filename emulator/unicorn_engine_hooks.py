"""The native side of the Unicorn engine: the C block hook and the write-tracked memory buffers.

The callbacks live in emulator/uc_hooks.c (built by emulator.hook_library with the pinned zig) and
are registered through Unicorn's C API with ctypes: the Python binding only takes Python
callables, and a Python block hook runs ~20x slower than Unicorn itself.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import weakref

from unicorn import Uc
from unicorn.unicorn_const import UC_HOOK_BLOCK
from unicorn.unicorn_py3.unicorn import uc_hook_h, uclib

from emulator.errors import SwapvmError
from emulator.layout import PAGE_BITS, PAGE_BYTES

STOP_NONE, STOP_LIMIT, STOP_MISALIGNED, STOP_HAZARD = 0, 1, 2, 3
NEVER = 1                      # an address no block starts at (blocks start at even addresses)
NO_LIMIT = (1 << 64) - 1


class HookState(ctypes.Structure):
    """Mirror of struct swapvm_hooks in emulator/uc_hooks.c (same field order and types)."""

    _fields_ = [
        ("count", ctypes.c_uint64),
        ("limit", ctypes.c_uint64),
        ("block_addr", ctypes.c_uint64),
        ("block_size", ctypes.c_uint64),
        ("block_count", ctypes.c_uint64),
        ("stop_reason", ctypes.c_uint64),
        ("stop_addr", ctypes.c_uint64),
        ("stop_size", ctypes.c_uint64),
        ("checks", ctypes.c_uint64),
        ("skip_hazard", ctypes.c_uint64),
        ("emu_stop", ctypes.c_void_p),
        ("hazard", ctypes.c_void_p),
        ("text_start", ctypes.c_uint64),
        ("text_words", ctypes.c_uint64),
    ]


@functools.cache
def library() -> ctypes.CDLL:
    """The hook library (built with the pinned zig on first use, then cached on disk)."""
    from emulator.hook_library import hook_library

    lib = ctypes.CDLL(str(hook_library()))
    lib.swapvm_track.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_void_p,
                                 ctypes.c_void_p]
    lib.swapvm_untrack.argtypes = [ctypes.c_void_p]
    lib.swapvm_protect.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
    return lib


class BlockCounter:
    """The C block hook on one Unicorn instance: exact counts, step limit, misaligned pcs, hazards."""

    def __init__(self, uc: Uc, hazard: bytes, text_start: int) -> None:
        """Register swapvm_block on uc; hazard has one byte per text word (non-zero: never run it)."""
        self.state = HookState()
        self.state.emu_stop = ctypes.cast(uclib.uc_emu_stop, ctypes.c_void_p).value
        self._hazard = ctypes.create_string_buffer(hazard, max(len(hazard), 1))
        self.state.hazard = ctypes.addressof(self._hazard) if any(hazard) else None
        self.state.text_start = text_start
        self.state.text_words = len(hazard)
        self.state.skip_hazard = NEVER
        handle = uc_hook_h()
        callback = ctypes.cast(library().swapvm_block, ctypes.c_void_p)
        user_data = ctypes.cast(ctypes.pointer(self.state), ctypes.c_void_p)
        err = uclib.uc_hook_add(
            uc._uch, ctypes.byref(handle), UC_HOOK_BLOCK, callback, user_data,
            ctypes.c_uint64(1), ctypes.c_uint64(0),
        )
        if err != 0:
            raise SwapvmError(f"unicorn refused the native block hook (uc_hook_add error {err})")

    def arm(self, limit: int, checks: bool = True) -> None:
        """Reset the counter before an emu_start: stop before passing `limit` instructions."""
        s = self.state
        s.count = s.block_count = s.block_size = 0
        s.block_addr = NEVER
        s.limit = limit
        s.stop_reason = STOP_NONE
        s.checks = 1 if checks else 0


def ensure_fault_handler() -> None:
    """Put the dirty-page fault handler back on top if another one (e.g. faulthandler) was installed."""
    if library().swapvm_ensure_handler() != 0:
        raise SwapvmError("cannot install the SIGSEGV handler that tracks Unicorn's dirty pages")


class TrackedBuffer:
    """Host memory behind one guest region, write-protected between syncs to find dirty pages."""

    def __init__(self, size: int) -> None:
        """An all-zero anonymous mapping of size bytes, registered with the fault handler."""
        if mmap.PAGESIZE != PAGE_BYTES:
            raise SwapvmError(f"the unicorn backend needs 4 KiB host pages (this host has {mmap.PAGESIZE})")
        self.size = size
        self._mem = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        self._mem.madvise(mmap.MADV_NOHUGEPAGE)   # dirty tracking is per 4 KiB page
        self._view = ctypes.c_char.from_buffer(self._mem)
        self.address = ctypes.addressof(self._view)
        pages = size >> PAGE_BITS
        self._dirty = (ctypes.c_uint8 * pages)()
        self._list = (ctypes.c_uint32 * pages)()
        self._count = ctypes.c_uint64(0)
        args = (self.address, size, ctypes.addressof(self._dirty), ctypes.addressof(self._list),
                ctypes.addressof(self._count))
        if library().swapvm_track(*args) != 0:
            gc.collect()                             # machines that are gone still hold slots
            if library().swapvm_track(*args) != 0:
                raise SwapvmError("too many live Unicorn machines (the dirty-page tracker is full)")
        weakref.finalize(self, library().swapvm_untrack, self.address)

    def protect(self) -> None:
        """Write-protect the whole buffer: the next store to each page is recorded."""
        if library().swapvm_protect(self.address, self.size) != 0:
            raise SwapvmError("mprotect of the Unicorn memory failed")

    def take_dirty(self) -> list[int]:
        """Offsets of the pages written since the last call, each once; the marks are cleared."""
        count = self._count.value
        pages = [self._list[i] for i in range(count)]
        for page in pages:
            self._dirty[page] = 0
        self._count.value = 0
        return [page << PAGE_BITS for page in pages]

    def page(self, offset: int) -> bytes:
        """The 4 KiB page at offset."""
        return ctypes.string_at(self.address + offset, PAGE_BYTES)

    def read(self, offset: int, n: int) -> bytes:
        """n bytes at offset."""
        return ctypes.string_at(self.address + offset, n)

    def write(self, offset: int, data: bytes) -> None:
        """Store data at offset (marks the pages dirty like a guest store would)."""
        ctypes.memmove(self.address + offset, data, len(data))

    def zero(self) -> None:
        """Make the whole buffer zero again (the pages are dropped, not written)."""
        self._mem.madvise(mmap.MADV_DONTNEED)
        self.take_dirty()
