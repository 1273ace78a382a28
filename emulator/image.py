"""Guest images: ELF loading and the load-time checker (spec §2.7, §3), and which words are RV64IM.

The legality rules are written from the RISC-V unprivileged spec independently of the decode
table of the reference step (emulator/isa); tests check that both agree on every opcode. The
Unicorn engine uses them too, to find words Unicorn would execute differently (spec §2.4).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from emulator.errors import SwapvmError
from emulator.isa import is_rv64im
from emulator.isa.core import OPCODE_SYSTEM
from emulator.layout import PAGE_BITS, PAGE_BYTES, RAM_BASE, ROM_BASE, TOP_BASE
from emulator.template import MachineParams, Template, page_round

FLOAT_OPCODES = frozenset({0x07, 0x27, 0x43, 0x47, 0x4B, 0x4F, 0x53})
ATOMIC_OPCODE = 0x2F


def illegal_kind(word: int) -> str | None:
    """None for a legal word (the decoder's answer), else why: compressed, CSR, float, atomic or reserved."""
    if is_rv64im(word):
        return None
    opcode = word & 0x7F
    if word & 3 != 3:
        return "compressed"
    if opcode in FLOAT_OPCODES:
        return "float"
    if opcode == ATOMIC_OPCODE:
        return "atomic"
    if opcode == OPCODE_SYSTEM:
        return "CSR" if (word >> 12) & 7 else "privileged"
    return "reserved"


# --- ELF images ------------------------------------------------------------------------------------
ELF_MAGIC = b"\x7fELF"
EM_RISCV = 243
EF_RISCV_RVC = 0x1
PF_X = 0x1
MAX_IMAGE_BYTES = 256 << 20            # a larger file is refused before it is parsed
RAM_SIZE_SYMBOL = "__swapvm_ram_size"  # RAM the image needs (linker script, docs/spec.md §3)
S_SIZE_SYMBOL = "__swapvm_s_size"      # accessible S bytes the image assumes


@dataclass(frozen=True)
class Segment:
    """One PT_LOAD: where it is loaded (paddr), where it runs (vaddr), its bytes, memsz, flags."""

    paddr: int
    vaddr: int
    data: bytes
    memsz: int
    flags: int

    @property
    def load_end(self) -> int:
        """End of the bytes placed in ROM: memsz for a segment that runs in place, filesz otherwise."""
        return self.paddr + (self.memsz if self.vaddr == self.paddr else len(self.data))


@dataclass(frozen=True)
class Image:
    """A checked image: entry, text range, ROM end, ROM bytes and what it needs of RAM and S."""

    name: str
    entry: int
    text_start: int
    text_end: int
    rom_end: int
    rom: bytes                 # the bytes of [ROM_BASE, rom_end)
    ram_required: int
    s_required: int


def _refuse(name: str, message: str) -> SwapvmError:
    """The error for a refused image: its name, then the precise reason."""
    return SwapvmError(f"image {name}: {message}")


def _read_source(source: str | Path | bytes) -> tuple[str, bytes]:
    """(name, bytes) of an image given as a path or as raw bytes, refusing oversized files."""
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_IMAGE_BYTES:
                raise _refuse(name, f"{size} bytes exceeds the limit of {MAX_IMAGE_BYTES} bytes")
            data = path.read_bytes()
        except OSError as exc:
            raise SwapvmError(f"cannot read image {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(name, f"{len(data)} bytes exceeds the limit of {MAX_IMAGE_BYTES} bytes")
    return name, data


def _segments(name: str, elf: ELFFile) -> list[Segment]:
    """The PT_LOAD segments with their file bytes."""
    out = []
    for seg in elf.iter_segments():
        if seg["p_type"] != "PT_LOAD":
            continue
        if seg["p_filesz"] > seg["p_memsz"]:
            raise _refuse(name, f"segment at {seg['p_paddr']:#x} has filesz > memsz")
        data = seg.data()
        if len(data) != seg["p_filesz"]:
            raise _refuse(name, f"segment at {seg['p_paddr']:#x} is truncated in the file")
        out.append(Segment(seg["p_paddr"], seg["p_vaddr"], data, seg["p_memsz"], seg["p_flags"]))
    if not out:
        raise _refuse(name, "no PT_LOAD segment")
    return out


def _symbol(elf: ELFFile, symbol: str) -> int | None:
    """The value of a symbol from .symtab, if the image has one."""
    table = elf.get_section_by_name(".symtab")
    if not isinstance(table, SymbolTableSection):
        return None
    found = table.get_symbol_by_name(symbol)
    return found[0]["st_value"] if found else None


def _check_header(name: str, data: bytes) -> ELFFile:
    """Parse the ELF header: 64-bit, little-endian, RISC-V, executable, no compressed flag."""
    if data[:4] != ELF_MAGIC:
        raise _refuse(name, "not an ELF file (bad magic)")
    if len(data) < 64:
        raise _refuse(name, "truncated ELF header")
    if data[4] != 2:
        raise _refuse(name, "not a 64-bit ELF (ELFCLASS64 required)")
    if data[5] != 1:
        raise _refuse(name, "not a little-endian ELF")
    elf = ELFFile(io.BytesIO(data))
    if elf["e_machine"] != "EM_RISCV":
        raise _refuse(name, f"machine is {elf['e_machine']}, not RISC-V")
    if elf["e_type"] != "ET_EXEC":
        raise _refuse(name, f"type is {elf['e_type']}, not an executable (ET_EXEC)")
    if elf["e_flags"] & EF_RISCV_RVC:
        raise _refuse(name, "built for compressed instructions (EF_RISCV_RVC set)")
    return elf


def _check_segments(name: str, segments: list[Segment], params: MachineParams) -> Segment:
    """Every load range inside ROM, RAM-run segments inside RAM, no overlap; returns the text segment."""
    for seg in segments:
        if not (ROM_BASE <= seg.paddr and seg.load_end <= TOP_BASE):
            raise _refuse(name, f"segment [{seg.paddr:#x}, {seg.load_end:#x}) lies outside ROM "
                                f"[{ROM_BASE:#x}, {TOP_BASE:#x})")
        if seg.vaddr != seg.paddr and not (
            RAM_BASE <= seg.vaddr and seg.vaddr + seg.memsz <= RAM_BASE + params.ram_size
        ):
            raise _refuse(name, f"segment loaded at {seg.paddr:#x} runs at [{seg.vaddr:#x}, "
                                f"{seg.vaddr + seg.memsz:#x}), outside RAM of {params.ram_size:#x} bytes")
    ordered = sorted(segments, key=lambda s: s.paddr)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.paddr < before.load_end:
            raise _refuse(name, f"segments at {before.paddr:#x} and {after.paddr:#x} overlap in ROM")
    text = [s for s in segments if s.flags & PF_X]
    if len(text) != 1:
        where = ", ".join(f"{s.paddr:#x}" for s in text) or "none"
        raise _refuse(name, f"needs exactly one executable segment, found {len(text)} ({where})")
    seg = text[0]
    if seg.vaddr != seg.paddr:
        raise _refuse(name, f"executable segment at {seg.paddr:#x} runs at {seg.vaddr:#x}, not in place")
    if seg.paddr % PAGE_BYTES or seg.memsz % PAGE_BYTES or seg.memsz == 0:
        raise _refuse(name, f"executable segment [{seg.paddr:#x}, {seg.paddr + seg.memsz:#x}) "
                            "is not a whole number of pages")
    return seg


def first_illegal(code: bytes, base: int) -> tuple[int, int, str] | None:
    """(address, word, kind) of the first word of code (at base) that is not RV64IM, if any."""
    for offset in range(0, len(code) - len(code) % 4, 4):
        word = int.from_bytes(code[offset : offset + 4], "little")
        kind = illegal_kind(word)
        if kind is not None:
            return base + offset, word, kind
    return None


def load_image(source: str | Path | bytes, params: MachineParams | None = None) -> Image:
    """Parse and check an image (spec §2.7, §3); any defect is a SwapvmError naming the address."""
    params = params or MachineParams()
    name, data = _read_source(source)
    try:
        elf = _check_header(name, data)
        segments = _segments(name, elf)
        entry = elf["e_entry"]
        ram_symbol, s_symbol = _symbol(elf, RAM_SIZE_SYMBOL), _symbol(elf, S_SIZE_SYMBOL)
    except (ELFError, ELFParseError, struct.error, ValueError, KeyError, IndexError) as exc:
        raise _refuse(name, f"malformed ELF: {exc}") from None
    text = _check_segments(name, segments, params)
    text_start, text_end = text.paddr, text.paddr + text.memsz
    code = text.data.ljust(text.memsz, b"\0")
    bad = first_illegal(code, text_start)
    if bad is not None:
        address, word, kind = bad
        raise _refuse(name, f"illegal instruction word {word:#010x} ({kind}) at {address:#x}")
    if entry % 4 or not text_start <= entry < text_end:
        raise _refuse(name, f"entry {entry:#x} is not a 4-aligned address inside text "
                            f"[{text_start:#x}, {text_end:#x})")
    rom_end = page_round(max(s.load_end for s in segments))
    rom = bytearray(rom_end - ROM_BASE)
    for seg in segments:
        rom[seg.paddr - ROM_BASE : seg.paddr - ROM_BASE + len(seg.data)] = seg.data
    ram_runs = [s.vaddr + s.memsz - RAM_BASE for s in segments if s.vaddr != s.paddr]
    ram_required = ram_symbol if ram_symbol is not None else max(ram_runs, default=0)
    s_required = s_symbol if s_symbol is not None else 0
    if ram_required > params.ram_size:
        raise _refuse(name, f"needs {ram_required:#x} bytes of RAM, the machine has "
                            f"ram_size {params.ram_size:#x}")
    if s_required > params.s_size:
        raise _refuse(name, f"assumes {s_required:#x} bytes of S, the machine has s_size {params.s_size:#x}")
    return Image(name, entry, text_start, text_end, rom_end, bytes(rom), ram_required, s_required)


def template_from_image(source: str | Path | bytes | Image, params: MachineParams | None = None) -> Template:
    """The machine template of a checked image: entry, text range, ROM end and non-zero ROM pages."""
    params = params or MachineParams()
    image = source if isinstance(source, Image) else load_image(source, params)
    if image.ram_required > params.ram_size or image.s_required > params.s_size:
        raise _refuse(image.name, f"needs RAM {image.ram_required:#x} and S {image.s_required:#x}, more "
                                  f"than ram_size {params.ram_size:#x} / s_size {params.s_size:#x}")
    pages = tuple(
        ((ROM_BASE + off) >> PAGE_BITS, image.rom[off : off + PAGE_BYTES])
        for off in range(0, len(image.rom), PAGE_BYTES)
        if image.rom[off : off + PAGE_BYTES].strip(b"\0")
    )
    return Template(params, image.entry, image.text_start, image.text_end, image.rom_end, pages)
