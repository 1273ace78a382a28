"""Guest functions by address, from an image's symbol table: which function a pc is in.

The loaded bytes of an image are all the machine sees; the symbol table is read from the same ELF file
for people only (step reports, the dispute's disputed step), so an image without one simply names no
function.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection


@dataclass(frozen=True, slots=True)
class Symbols:
    """Function symbols sorted by address: (start, size, name)."""

    starts: tuple[int, ...]
    entries: tuple[tuple[int, int, str], ...]

    @classmethod
    def from_elf(cls, elf: bytes) -> Symbols:
        """The STT_FUNC symbols of an ELF image (none if it has no symbol table or does not parse)."""
        try:
            table = ELFFile(io.BytesIO(elf)).get_section_by_name(".symtab")
        except ELFError:
            table = None
        found: list[tuple[int, int, str]] = []
        if isinstance(table, SymbolTableSection):
            for symbol in table.iter_symbols():
                if symbol["st_info"]["type"] == "STT_FUNC" and symbol.name:
                    found.append((symbol["st_value"], symbol["st_size"], symbol.name))
        found.sort()
        return cls(tuple(start for start, _, _ in found), tuple(found))

    def function_at(self, pc: int) -> str | None:
        """`name+0xoffset` of the function containing pc, or None outside every known function."""
        index = bisect.bisect_right(self.starts, pc) - 1
        if index < 0:
            return None
        start, size, name = self.entries[index]
        if size and pc >= start + size:
            return None
        return f"{name}+{pc - start:#x}"
