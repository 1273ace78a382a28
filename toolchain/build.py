"""The guest build driver: freestanding C for machine AB, compiled reproducibly by the pinned zig.

Sources are paths relative to the repository root, compiled in one zig invocation in sorted order
with fixed flags (no build id, file-prefix maps, no debug info), so the same sources give the
same image bytes on any machine. Images are named; `images.lock` records their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_RAM_SIZE, DEFAULT_S_SIZE
from emulator.zig import zig_cc

ROOT = Path(__file__).resolve().parent.parent
LINKER_SCRIPT = "toolchain/link.ld"
LOCK_FILE = ROOT / "toolchain" / "images.lock"
RUNTIME_SOURCES = (
    "guest/runtime/crt0.S",
    "guest/runtime/alloc.c",
    "guest/runtime/ecall.c",
    "guest/runtime/mem.c",
)
STACK_SIZE = 1 << 20

TARGET_FLAGS = ("-target", "riscv64-freestanding-none", "-mcpu=generic_rv64+m")
C_FLAGS = (
    "-std=c11",
    "-O2",
    "-g0",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-ffreestanding",
    "-fno-builtin",
    "-fno-stack-protector",
    "-fno-sanitize=all",
    "-fno-pic",
    "-mcmodel=medany",
    "-mno-relax",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
    "-ffunction-sections",
    "-fdata-sections",
    "-Iguest/include",
)


@dataclass(frozen=True)
class ImageSpec:
    """A named image: its own sources (the runtime is always added) and its RAM and S sizes."""

    name: str
    sources: tuple[str, ...]
    ram_size: int = DEFAULT_RAM_SIZE
    s_size: int = DEFAULT_S_SIZE
    locked: bool = True   # its hash is recorded in images.lock
    defines: tuple[str, ...] = ()   # extra -D macros (trace builds)


def main_guest_sources() -> tuple[str, ...]:
    """The EVM block executor: every C file under guest/src (recursively), sorted."""
    return tuple(sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "guest" / "src").rglob("*.c")))


def bundled() -> dict[str, ImageSpec]:
    """Every image the repository builds, by name: the examples and the main guest."""
    examples = {
        name: ImageSpec(name, (f"guest/examples/{name}.c",))
        for name in ("hello", "keccak_loop", "fault", "oracle_read")
    }
    examples["guest"] = ImageSpec("guest", main_guest_sources())
    examples.update(trace_images())
    examples.update(live_test_images())
    return examples


TRACE_SOURCES = ("guest/trace/evm_trace.c",)
TRACE_IMAGES = ("guest-trace", "guest-trace-plant-add")


def trace_images() -> dict[str, ImageSpec]:
    """The guest's EIP-3155 trace builds (spec §5.5): never locked, never used for proofs.

    `guest-trace` writes a line per opcode through the debug ECALL; `guest-trace-plant-add`
    also charges ADD one gas more than Ethereum, the planted divergence of the tests and README."""
    sources = (*main_guest_sources(), *TRACE_SOURCES)
    trace = ("SWAPVM_EVM_TRACE",)
    return {
        "guest-trace": ImageSpec("guest-trace", sources, locked=False, defines=trace),
        "guest-trace-plant-add": ImageSpec(
            "guest-trace-plant-add", sources, locked=False, defines=(*trace, "SWAPVM_TRACE_PLANT_ADD")
        ),
    }


# The live-byte budget of the test build `guest-live-small` (the main guest's is SWAPVM_LIVE_BUDGET's
# default in guest/src/evm/live.h): small, so that blocks of a few million gas cross it.
LIVE_SMALL_BUDGET = 1 << 20


def live_test_images() -> dict[str, ImageSpec]:
    """The main guest with a small live-byte budget (spec §4.9, reason 9), for the tests that cross
    it: never locked, never used for proofs."""
    defines = (f"SWAPVM_LIVE_BUDGET={LIVE_SMALL_BUDGET}ull",)
    name = "guest-live-small"
    return {name: ImageSpec(name, main_guest_sources(), locked=False, defines=defines)}


def linker_script(spec: ImageSpec, root: Path = ROOT) -> str:
    """The image's RAM/S/stack sizes as absolute symbols, then the shared script toolchain/link.ld."""
    return (
        f"__swapvm_ram_size = {spec.ram_size:#x};\n"
        f"__swapvm_s_size = {spec.s_size:#x};\n"
        f"__swapvm_stack_size = {STACK_SIZE:#x};\n"
        + (root / LINKER_SCRIPT).read_text()
    )


def link_flags(script: Path) -> list[str]:
    """No libc, static, the generated linker script, no build id, unused sections dropped."""
    return ["-nostdlib", "-static", f"-Wl,-T,{script}", "-Wl,--build-id=none", "-Wl,--gc-sections"]


LINE_TABLES_FLAG = "-gline-tables-only"   # in place of -g0: the same code, plus a DWARF line table


def compile_flags(spec: ImageSpec, root: Path = ROOT, line_tables: bool = False) -> list[str]:
    """Target, warnings-as-errors, freestanding code flags and the build constants of abi.h."""
    flags = tuple(LINE_TABLES_FLAG if flag == "-g0" and line_tables else flag for flag in C_FLAGS)
    return [
        *TARGET_FLAGS,
        *flags,
        f"-ffile-prefix-map={root}=.",
        f"-DSWAPVM_RAM_SIZE={spec.ram_size:#x}u",
        f"-DSWAPVM_S_SIZE={spec.s_size:#x}u",
        f"-DSWAPVM_STACK_SIZE={STACK_SIZE:#x}u",
        *(f"-D{name}" for name in spec.defines),
    ]


def build_image(spec: ImageSpec, out: Path, root: Path = ROOT, line_tables: bool = False) -> Path:
    """Compile and link spec into the ELF file `out`; returns out. Sources are relative to root
    (the repository; another checkout gives the same bytes). With line_tables, the image also carries
    a DWARF line table, for people only: its loaded bytes are the plain build's (checked where used)."""
    root = Path(root).resolve()
    sources = [*RUNTIME_SOURCES, *sorted(set(spec.sources))]
    for source in sources:
        if not (root / source).is_file():
            raise SwapvmError(f"image {spec.name}: source {source} does not exist")
    if len(sources) == len(RUNTIME_SOURCES):
        raise SwapvmError(f"image {spec.name}: no sources")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="swapvm-build-") as tmp:
        # Link into a fixed-name temporary first: the output name never enters the image.
        target, script = Path(tmp) / "image.elf", Path(tmp) / "image.ld"
        script.write_text(linker_script(spec, root))
        flags = compile_flags(spec, root, line_tables)
        zig_cc([*flags, *link_flags(script), "-o", str(target), *sources], cwd=root)
        shutil.copyfile(target, out)
    return out


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_lock() -> dict[str, str]:
    """The recorded image hashes (name -> hex SHA-256)."""
    if not LOCK_FILE.exists():
        return {}
    try:
        data = json.loads(LOCK_FILE.read_text())
    except json.JSONDecodeError as exc:
        raise SwapvmError(f"{LOCK_FILE.name} is not valid JSON: {exc}") from None
    return {str(k): str(v) for k, v in data.get("images", {}).items()}


def write_lock(hashes: dict[str, str]) -> None:
    """Record image hashes (sorted, with the compiler they were built with)."""
    from emulator.zig import ZIG_VERSION

    body = {"zig": ZIG_VERSION, "images": dict(sorted(hashes.items()))}
    LOCK_FILE.write_text(json.dumps(body, indent=2) + "\n")


def build_all(out_dir: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """Build the named bundled images (all by default) into out_dir as NAME.elf."""
    specs = bundled()
    chosen = list(names) if names is not None else list(specs)
    unknown = [n for n in chosen if n not in specs]
    if unknown:
        raise SwapvmError(f"unknown image {unknown[0]!r}; bundled: {', '.join(specs)}")
    return {name: build_image(specs[name], Path(out_dir) / f"{name}.elf") for name in chosen}


def check_against_lock(built: dict[str, Path]) -> list[str]:
    """Names whose bytes differ from images.lock (or are missing from it), among locked images."""
    lock, specs = read_lock(), bundled()
    return [
        name for name, path in built.items()
        if specs[name].locked and lock.get(name) != sha256_file(path)
    ]


_EXAMPLE_CACHE: dict[str, Path] = {}


def example_image(name: str) -> Path:
    """A bundled image built once per process into a temporary directory (for tests and benchmarks)."""
    if name not in _EXAMPLE_CACHE:
        out = Path(tempfile.mkdtemp(prefix="swapvm-images-"))
        _EXAMPLE_CACHE[name] = build_all(out, [name])[name]
    return _EXAMPLE_CACHE[name]
