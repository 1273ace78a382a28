"""The image checker: what a loadable image is, and the precise refusal of everything else."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from emulator.errors import SwapvmError
from emulator.image import MAX_IMAGE_BYTES, illegal_kind, is_rv64im, load_image, template_from_image
from emulator.isa import decode
from emulator.layout import PAGE_BYTES, ROM_BASE
from emulator.template import MachineParams
from toolchain.build import example_image

PHOFF, PHENTSIZE = 32, 56          # ELF64 header field offset, program header entry size
TEXT_FILE_OFFSET = 0x1000          # where the linker script puts text in the file


@pytest.fixture(scope="module")
def hello() -> bytes:
    """The bytes of the bundled hello image."""
    return example_image("hello").read_bytes()


def patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    """data with one little-endian field replaced."""
    out = bytearray(data)
    struct.pack_into("<" + fmt, out, offset, value)
    return bytes(out)


def phdr_offset(data: bytes, index: int) -> int:
    """File offset of program header `index`."""
    return struct.unpack_from("<Q", data, PHOFF)[0] + index * PHENTSIZE


def test_a_bundled_image_loads_into_a_template(hello: bytes) -> None:
    image = load_image(hello)
    assert image.entry == ROM_BASE and image.text_start == ROM_BASE
    assert image.text_end % PAGE_BYTES == 0 and image.rom_end % PAGE_BYTES == 0
    template = template_from_image(hello)
    assert template.entry == image.entry
    assert (template.text_end, template.rom_end) == (image.text_end, image.rom_end)
    rom = dict(template.rom_pages)
    assert rom[ROM_BASE >> 12] == image.rom[:PAGE_BYTES]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: b"\x7fELF" + b"\x02\x01", "truncated ELF header"),
        (lambda d: b"MZ" + d[2:], "not an ELF file"),
        (lambda d: patched(d, 4, "B", 1), "not a 64-bit ELF"),
        (lambda d: patched(d, 5, "B", 2), "not a little-endian ELF"),
        (lambda d: patched(d, 18, "H", 62), "machine is EM_X86_64, not RISC-V"),
        (lambda d: patched(d, 16, "H", 3), "not an executable"),
        (lambda d: patched(d, 48, "I", 1), "compressed instructions"),
        (lambda d: patched(d, PHOFF, "Q", len(d) + 4096), "malformed ELF"),
        (lambda d: patched(d, 24, "Q", ROM_BASE + 0x1000), "entry 0x80001000 is not a 4-aligned address"),
        (lambda d: patched(d, 24, "Q", ROM_BASE + 2), "entry 0x80000002 is not a 4-aligned address"),
    ],
)
def test_malformed_headers_are_refused(hello: bytes, edit, message: str) -> None:
    with pytest.raises(SwapvmError, match=message):
        load_image(edit(hello))


def test_segment_outside_rom_is_refused_naming_it(hello: bytes) -> None:
    bad = patched(hello, phdr_offset(hello, 1) + 24, "Q", 0xC000_0000)   # rodata's p_paddr
    with pytest.raises(SwapvmError, match=r"segment \[0xc0000000, 0xc0000018\) lies outside ROM"):
        load_image(bad)


def test_segment_below_rom_is_refused(hello: bytes) -> None:
    bad = patched(hello, phdr_offset(hello, 2) + 24, "Q", 0x3000_0000)   # .data's load address
    with pytest.raises(SwapvmError, match=r"segment \[0x30000000, .*outside ROM"):
        load_image(bad)


def test_second_executable_segment_is_refused(hello: bytes) -> None:
    bad = patched(hello, phdr_offset(hello, 1) + 4, "I", 5)               # rodata R|X
    message = r"exactly one executable segment, found 2 \(0x80000000, 0x80001000\)"
    with pytest.raises(SwapvmError, match=message):
        load_image(bad)


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        (0x0001_0001, "compressed"),      # c.nop pair
        (0x3000_2573, "CSR"),             # csrr a0, mstatus
        (0xC000_1073, "CSR"),             # unimp (csrrw x0, cycle, x0)
        (0x0220_7053, "float"),           # fadd.d
        (0x1000_252F, "atomic"),          # lr.w
        (0x3020_0073, "privileged"),      # mret
        (0x0000_707F, "reserved"),
        (0x0000_0000, "compressed"),
    ],
)
def test_illegal_word_in_text_is_refused_naming_its_address(hello: bytes, word: int, kind: str) -> None:
    bad = patched(hello, TEXT_FILE_OFFSET + 0x10, "I", word)
    with pytest.raises(SwapvmError, match=rf"illegal instruction word {word:#010x} \({kind}\) at 0x80000010"):
        load_image(bad)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.elf"
    with big.open("wb") as f:
        f.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(SwapvmError, match=f"{MAX_IMAGE_BYTES + 1} bytes exceeds the limit"):
        load_image(big)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SwapvmError, match="cannot read image"):
        load_image(tmp_path / "absent.elf")


def test_image_needing_more_ram_than_the_machine_has_is_refused(hello: bytes) -> None:
    with pytest.raises(SwapvmError, match="needs 0x20000000 bytes of RAM, the machine has ram_size 0x100000"):
        load_image(hello, MachineParams(ram_size=1 << 20))
    with pytest.raises(SwapvmError, match="assumes 0x4000000 bytes of S"):
        template_from_image(hello, MachineParams(s_size=1 << 20))


def _words_per_opcode(rng: random.Random, per_opcode: int) -> list[int]:
    """Random words covering every major opcode, plus fully random ones."""
    words = [(rng.getrandbits(25) << 7) | op for op in range(128) for _ in range(per_opcode)]
    return words + [rng.getrandbits(32) for _ in range(20_000)]


def test_legality_agrees_with_the_reference_decoder() -> None:
    rng = random.Random(20261121)
    for word in _words_per_opcode(rng, 400):
        assert is_rv64im(word) == (decode(word) is not None), hex(word)
        assert (illegal_kind(word) is None) == is_rv64im(word)
