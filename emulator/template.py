"""What a machine is, independent of S: its parameters, entry, text range and ROM; Q* and the window root.

At a window boundary the machine root is H(H(Q*, S), H(ROM, Z25)), so a template turns an S root
into a machine root with two hashes (spec §2.5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.layout import (
    DEFAULT_LOG2_WINDOW,
    DEFAULT_RAM_SIZE,
    DEFAULT_S_SIZE,
    PAGE_BITS,
    PAGE_BYTES,
    PAGE_HEIGHT,
    RAM_BASE,
    ROM_BASE,
    S_BASE,
    SHADOW_BASE,
    SHADOW_LOG2_WINDOW,
    SHADOW_PC,
    SHADOW_RAM_SIZE,
    SHADOW_ROM_END,
    SHADOW_S_SIZE,
    SHADOW_TEXT_END,
    SHADOW_TEXT_START,
    TOP_BASE,
    WINDOW_HEIGHT,
)
from emulator.state import MachineState

RAM_LIMIT = S_BASE - RAM_BASE          # RAM may grow up to the end of the Q window
S_LIMIT = ROM_BASE - S_BASE            # S may fill its whole window
Q_PAGE_END = S_BASE >> PAGE_BITS       # pages [0, Q_PAGE_END) form the Q window


def page_round(n: int) -> int:
    """n rounded up to a whole number of pages."""
    return -(-n // PAGE_BYTES) * PAGE_BYTES


@dataclass(frozen=True)
class MachineParams:
    """The machine parameters that live in the shadow page: window size and region sizes."""

    log2_window: int = DEFAULT_LOG2_WINDOW
    ram_size: int = DEFAULT_RAM_SIZE
    s_size: int = DEFAULT_S_SIZE

    def __post_init__(self) -> None:
        """Refuse parameters the memory map cannot hold."""
        if not 1 <= self.log2_window <= 63:
            raise SwapvmError(f"log2_window {self.log2_window} outside 1..63")
        for name, value, limit in (("ram_size", self.ram_size, RAM_LIMIT), ("s_size", self.s_size, S_LIMIT)):
            if value < 0 or value % PAGE_BYTES or value > limit:
                raise SwapvmError(f"{name} {value:#x} must be a multiple of 4 KiB between 0 and {limit:#x}")


@dataclass(frozen=True)
class Template:
    """A machine without its S: params, entry, text range, ROM end and the ROM pages (number, bytes)."""

    params: MachineParams
    entry: int
    text_start: int
    text_end: int
    rom_end: int
    rom_pages: tuple[tuple[int, bytes], ...] = field(repr=False)

    def __post_init__(self) -> None:
        """Refuse a template whose ranges leave ROM or whose pages are malformed."""
        if not (ROM_BASE <= self.text_start <= self.text_end <= self.rom_end <= TOP_BASE):
            raise SwapvmError(
                f"text [{self.text_start:#x}, {self.text_end:#x}) and rom_end {self.rom_end:#x} "
                f"must lie in order inside ROM [{ROM_BASE:#x}, {TOP_BASE:#x})"
            )
        if not 0 <= self.entry < 1 << 64:
            raise SwapvmError(f"entry {self.entry:#x} is not a 64-bit address")
        for number, data in self.rom_pages:
            if len(data) != PAGE_BYTES or not ROM_BASE <= number << PAGE_BITS < self.rom_end:
                raise SwapvmError(f"ROM page {number:#x} lies outside [ROM_BASE, rom_end) or is not 4 KiB")

    def shadow_page(self) -> bytes:
        """The shadow page of Q*: registers 0, pc = entry, clock/status/cause/tval 0, the parameters."""
        page = bytearray(PAGE_BYTES)
        fields = {
            SHADOW_PC: self.entry,
            SHADOW_LOG2_WINDOW: self.params.log2_window,
            SHADOW_TEXT_START: self.text_start,
            SHADOW_TEXT_END: self.text_end,
            SHADOW_ROM_END: self.rom_end,
            SHADOW_RAM_SIZE: self.params.ram_size,
            SHADOW_S_SIZE: self.params.s_size,
        }
        for offset, value in fields.items():
            page[offset : offset + 8] = value.to_bytes(8, "little")
        return bytes(page)

    def qstar_pages(self) -> dict[int, bytes]:
        """The non-zero pages of Q* (only the shadow page: RAM starts all zero)."""
        return {SHADOW_BASE >> PAGE_BITS: self.shadow_page()}

    @cached_property
    def _qstar_root(self) -> bytes:
        """Cached Q* root."""
        hashes = {n: merkle.subtree_root(p, PAGE_HEIGHT) for n, p in self.qstar_pages().items()}
        return merkle.sparse_root(hashes, PAGE_HEIGHT, WINDOW_HEIGHT)

    @cached_property
    def _rom_root(self) -> bytes:
        """Cached ROM root."""
        hashes = {n: merkle.subtree_root(p, PAGE_HEIGHT) for n, p in self.rom_pages}
        return merkle.sparse_root(hashes, PAGE_HEIGHT, WINDOW_HEIGHT)

    def qstar_root(self) -> bytes:
        """Node (25, 0) of the machine tree right after a clean."""
        return self._qstar_root

    def rom_root(self) -> bytes:
        """Node (25, 2) of the machine tree: the image."""
        return self._rom_root

    def identity(self) -> bytes:
        """H(Q*, ROM): names the template (parameters, entry, text range, image bytes)."""
        return merkle.hash_pair(self.qstar_root(), self.rom_root())

    def window_root(self, s_root: bytes) -> bytes:
        """The machine root at a window boundary, from the S root alone."""
        return merkle.machine_root(self.qstar_root(), s_root, self.rom_root())

    def initial_state(self, s_bytes: bytes = b"") -> MachineState:
        """A fresh machine: Q* + S (s_bytes at S_BASE, the rest zero) + ROM."""
        if len(s_bytes) > self.params.s_size:
            raise SwapvmError(f"S of {len(s_bytes)} bytes exceeds s_size {self.params.s_size:#x}")
        state = MachineState(dict(self.qstar_pages()))
        for number, data in self.rom_pages:
            state.set_page(number, data)
        if s_bytes:
            state.write(S_BASE, s_bytes)
        return state


def template_from_code(code: bytes, params: MachineParams | None = None, rodata: bytes = b"") -> Template:
    """A template with code at ROM_BASE (text = its whole pages) and rodata on the following pages."""
    params = params or MachineParams()
    text_end = ROM_BASE + page_round(max(len(code), 1))
    rom_end = text_end + page_round(len(rodata))
    image = code.ljust(text_end - ROM_BASE, b"\0") + rodata.ljust(rom_end - text_end, b"\0")
    if rom_end > TOP_BASE:
        raise SwapvmError(f"image of {len(image)} bytes does not fit ROM")
    pages = tuple(
        ((ROM_BASE + off) >> PAGE_BITS, image[off : off + PAGE_BYTES])
        for off in range(0, len(image), PAGE_BYTES)
        if image[off : off + PAGE_BYTES].strip(b"\0")
    )
    return Template(params, ROM_BASE, ROM_BASE, text_end, rom_end, pages)
