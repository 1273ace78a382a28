"""The main guest image for AB checks: built once by the pinned toolchain, cached by source hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from emulator.template import MachineParams, Template
from toolchain.build import ROOT, RUNTIME_SOURCES, build_image, bundled

CACHE_DIR = ROOT / "build" / "images"


@dataclass(frozen=True)
class GuestImage:
    """The ELF bytes of the guest plus the region sizes it was built for."""

    elf: bytes
    ram_size: int
    s_size: int

    @property
    def sha256(self) -> str:
        """The image's identity (SHA-256 of the ELF bytes)."""
        return hashlib.sha256(self.elf).hexdigest()

    def params(self, log2_window: int) -> MachineParams:
        """The machine parameters for a window of 2^log2_window steps."""
        return MachineParams(log2_window=log2_window, ram_size=self.ram_size, s_size=self.s_size)

    def template(self, log2_window: int) -> Template:
        """The machine template: this image under a window of 2^log2_window steps."""
        from emulator.image import template_from_image

        return template_from_image(self.elf, self.params(log2_window))


def _sources_digest(sources: tuple[str, ...], defines: tuple[str, ...] = ()) -> str:
    """A digest of every source and header the image depends on (names and bytes) and its defines."""
    digest = hashlib.sha256(" ".join(defines).encode())
    paths = [*sources, *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "guest").rglob("*.h"))]
    paths += ["toolchain/link.ld", "toolchain/build.py"]
    for path in paths:
        digest.update(path.encode() + b"\0" + (ROOT / path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def guest_image(cache_dir: Path = CACHE_DIR, name: str = "guest") -> GuestImage:
    """Build a bundled guest image, the main guest by default (or reuse the cached build of the same
    sources and defines)."""
    spec = bundled()[name]
    digest = _sources_digest((*RUNTIME_SOURCES, *spec.sources), spec.defines)
    path = Path(cache_dir) / f"{name}-{digest}.elf"
    if not path.exists():
        build_image(spec, path)
    return GuestImage(path.read_bytes(), spec.ram_size, spec.s_size)


def guest_line_tables(image: GuestImage, cache_dir: Path = CACHE_DIR) -> bytes:
    """The main guest built with a DWARF line table, whose loaded bytes are exactly `image`'s.

    For naming the source line of a pc (the dispute's disputed step); b"" when the two builds'
    templates differ (the compiler's line tables then changed the code, and no line is named)."""
    from emulator.image import template_from_image

    spec = bundled()["guest"]
    digest = _sources_digest((*RUNTIME_SOURCES, *spec.sources))
    path = Path(cache_dir) / f"guest-{digest}-lines.elf"
    if not path.exists():
        build_image(spec, path, line_tables=True)
    elf = path.read_bytes()
    same = template_from_image(elf).identity() == template_from_image(image.elf).identity()
    return elf if same else b""
