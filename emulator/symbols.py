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


@dataclass(frozen=True, slots=True)
class SourceLines:
    """The DWARF line table of an image built with line tables: address -> (file, line)."""

    starts: tuple[int, ...]
    rows: tuple[tuple[int, str, int], ...]   # (address, file, line); file "" closes a sequence

    @classmethod
    def from_elf(cls, elf: bytes) -> SourceLines:
        """Every row of every line program (none if the image carries no line tables)."""
        try:
            image = ELFFile(io.BytesIO(elf))
            dwarf = image.get_dwarf_info() if image.has_dwarf_info() else None
        except ELFError:
            dwarf = None
        rows: list[tuple[int, str, int]] = []
        for unit in dwarf.iter_CUs() if dwarf is not None else ():
            program = dwarf.line_program_for_CU(unit)
            if program is None:
                continue
            files = [_file_name(program, entry) for entry in program["file_entry"]]
            base = 0 if program.header["version"] >= 5 else 1   # DWARF 5 numbers files from 0
            last: tuple[str, int] | None = None   # the sequence's last row with a line
            for entry in program.get_entries():
                state = entry.state
                if state is None:
                    continue
                if state.end_sequence:
                    rows.append((state.address, "", 0))
                    last = None
                    continue
                index = state.file - base
                name = files[index] if 0 <= index < len(files) else "?"
                line = state.line
                if line == 0 and last is not None:
                    name, line = last   # line 0: code no line owns (DWARF); named as the row before it
                elif line:
                    last = (name, line)
                rows.append((state.address, name, line))
        rows.sort(key=lambda row: (row[0], row[1] != ""))   # a sequence's end before one starting there
        return cls(tuple(row[0] for row in rows), tuple(rows))

    def line_at(self, pc: int) -> str | None:
        """`file:line` of the instruction at pc, or None where the table says nothing."""
        index = bisect.bisect_right(self.starts, pc) - 1
        if index < 0 or not self.rows[index][1]:
            return None
        _, name, line = self.rows[index]
        return f"{name}:{line}"


def _file_name(program: object, entry: object) -> str:
    """A line program's file as a repository path (directory joined, the build's `./` prefix dropped)."""
    name = entry.name.decode()  # type: ignore[attr-defined]
    directories = program["include_directory"]  # type: ignore[index]
    version = program.header["version"]  # type: ignore[attr-defined]
    index = entry.dir_index - (0 if version >= 5 else 1)  # type: ignore[attr-defined]  # DWARF 4: 0 is the CU's
    if not name.startswith("/") and 0 <= index < len(directories):
        directory = directories[index].decode()
        name = f"{directory}/{name}" if directory not in ("", ".") else name
    return name.removeprefix("./")
