"""The guest's heap high-water on one block: run AB's window to the guest's stop and read rt_heap_peak
(and evm_live_total, its count of live bytes).

The guest's allocator keeps the most heap it ever had in use in the RAM word `rt_heap_peak`
(guest/runtime/alloc.c). The clean at the window's end resets RAM to Q*, so the word is read at the
step that yields or faults, from the same state. Measurement only: nothing in a window's result or
the tree depends on it (docs/spec.md §4.9).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from emulator.errors import SwapvmError
from emulator.layout import (
    CAUSE_NAMES,
    SHADOW_CAUSE,
    SHADOW_STATUS,
    SHADOW_TVAL,
    STATUS_FAULTED,
    STATUS_YIELDED,
)
from emulator.oracle import PreimageOracle
from swapping.guest_image import GuestImage
from swapping.window import _template, read_s_image

PEAK_SYMBOL = "rt_heap_peak"
LIVE_SYMBOL = "evm_live_total"   # the block's count of live bytes (guest/src/evm/live.c, spec §4.9)
HEAP_SYMBOLS = ("__heap_start", "__heap_end")


@dataclass(frozen=True)
class HeapRun:
    """How the guest stopped on one S, after how many steps, its heap high-water and the S it left."""

    status: str          # "yielded", "faulted" or "overrun"
    cause: str           # the fault cause name when faulted, else ""
    tval: int
    steps: int
    heap_peak: int       # bytes of heap in use at most (bump part plus the top region)
    heap_size: int       # bytes between __heap_start and __heap_end: what the peak may reach
    live_total: int      # the guest's count of the block's live bytes (the refusal rule's sum)
    s_image: bytes       # the S window's framed image when the guest stopped


@lru_cache(maxsize=4)
def image_symbols(elf: bytes) -> dict[str, int]:
    """The addresses of the heap's symbols in the image's symbol table."""
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    table = ELFFile(io.BytesIO(elf)).get_section_by_name(".symtab")
    if not isinstance(table, SymbolTableSection):
        raise SwapvmError("the guest image has no symbol table: its heap cannot be measured")
    found = {}
    for name in (PEAK_SYMBOL, LIVE_SYMBOL, *HEAP_SYMBOLS):
        symbols = table.get_symbol_by_name(name)
        if not symbols:
            raise SwapvmError(f"the guest image has no symbol {name}: rebuild it from this tree")
        found[name] = symbols[0]["st_value"]
    return found


def measure_heap(
    image: GuestImage, s_image: bytes, log2_window: int = 41, backend: str = "unicorn",
    oracle: PreimageOracle | None = None,
) -> HeapRun:
    """Run the guest on S's image until it stops (at most 2^a - 1 steps) and read its heap high-water;
    oracle serves the preimages of S version 2 (a block's witness)."""
    from emulator.machine import make_machine, shadow_field

    symbols = image_symbols(image.elf)
    template = _template(image.elf, image.ram_size, image.s_size, log2_window)
    machine = make_machine(backend, template, template.initial_state(s_image), oracle=oracle)
    steps = machine.run_until_halt((1 << log2_window) - 1)
    state = machine.state()
    status_code = shadow_field(state, SHADOW_STATUS)
    status = {STATUS_YIELDED: "yielded", STATUS_FAULTED: "faulted"}.get(status_code, "overrun")
    faulted = status == "faulted"
    cause = shadow_field(state, SHADOW_CAUSE)
    return HeapRun(
        status=status,
        cause=CAUSE_NAMES.get(cause, str(cause)) if faulted else "",
        tval=shadow_field(state, SHADOW_TVAL) if faulted else 0,
        steps=steps,
        heap_peak=state.read_u64(symbols[PEAK_SYMBOL]),
        heap_size=symbols["__heap_end"] - symbols["__heap_start"],
        live_total=state.read_u64(symbols[LIVE_SYMBOL]),
        s_image=read_s_image(state, image.s_size),
    )
