"""The pinned toolchain: compiler version, target features, reproducible images, the host build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from emulator import layout
from emulator.errors import SwapvmError
from emulator.zig import ZIG_VERSION, zig_version
from swapping.cli import main as swapvm_main
from toolchain.build import (
    ROOT,
    TARGET_FLAGS,
    ImageSpec,
    build_all,
    build_image,
    bundled,
    check_against_lock,
    read_lock,
    sha256_file,
)
from toolchain.host import build_host_executable


def test_zig_is_the_pinned_version() -> None:
    pin = re.search(r'"ziglang==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert pin is not None and pin.group(1) == ZIG_VERSION
    assert zig_version() == ZIG_VERSION


def test_target_has_m_but_no_compressed_atomic_or_float() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ziglang", "cc", *TARGET_FLAGS, "-dM", "-E", "-x", "c", "-"],
        input="", capture_output=True, text=True, check=True,
    )
    macros = set(re.findall(r"#define (__riscv\w*)", done.stdout))
    assert {"__riscv_mul", "__riscv_div", "__riscv_float_abi_soft"} <= macros
    assert macros.isdisjoint({"__riscv_compressed", "__riscv_c", "__riscv_atomic", "__riscv_a",
                              "__riscv_f", "__riscv_d", "__riscv_flen", "__riscv_zicsr"})


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The locked bundled images, built once for this module."""
    names = [n for n, s in bundled().items() if s.locked]
    return build_all(tmp_path_factory.mktemp("images"), names)


def test_bundled_images_match_the_lock_file(images: dict[str, Path]) -> None:
    lock = read_lock()
    assert set(images) <= set(lock)
    assert check_against_lock(images) == []


def test_rebuild_elsewhere_gives_identical_bytes(images: dict[str, Path], tmp_path: Path) -> None:
    again = build_image(bundled()["hello"], tmp_path / "sub" / "other-name.elf")
    assert again.read_bytes() == images["hello"].read_bytes()


def test_a_copy_elsewhere_builds_identical_bytes(images: dict[str, Path], tmp_path: Path) -> None:
    checkout = tmp_path / "elsewhere" / "repo"
    for folder in ("guest/include", "guest/runtime", "guest/examples"):
        shutil.copytree(ROOT / folder, checkout / folder)
    (checkout / "toolchain").mkdir(parents=True)
    shutil.copy(ROOT / "toolchain" / "link.ld", checkout / "toolchain" / "link.ld")
    for name in ("hello", "fault"):
        again = build_image(bundled()[name], tmp_path / f"{name}.elf", root=checkout)
        assert again.read_bytes() == images[name].read_bytes()


def test_image_layout_follows_the_linker_script(images: dict[str, Path]) -> None:
    with images["hello"].open("rb") as f:
        elf = ELFFile(f)
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        executable = [s for s in loads if s["p_flags"] & 1]
        assert len(executable) == 1 and executable[0]["p_paddr"] == layout.ROM_BASE
        assert executable[0]["p_memsz"] % layout.PAGE_BYTES == 0
        for seg in loads:
            assert layout.ROM_BASE <= seg["p_paddr"] < layout.TOP_BASE
            assert seg["p_paddr"] % layout.PAGE_BYTES == 0 or seg["p_vaddr"] != seg["p_paddr"]
        data = [s for s in loads if s["p_vaddr"] != s["p_paddr"]]
        assert len(data) == 1 and data[0]["p_vaddr"] == layout.RAM_BASE
        assert elf.get_section_by_name(".rodata")["sh_flags"] & 0x4 == 0     # not executable
        assert elf.header["e_flags"] & 1 == 0                                # no RVC


def test_abi_header_mirrors_the_layout() -> None:
    text = (ROOT / "guest" / "include" / "abi.h").read_text()
    pattern = r"#define SWAPVM_(\w+) (0x[0-9a-fA-F]+|\d+)"
    defines = {m.group(1): int(m.group(2), 0) for m in re.finditer(pattern, text)}
    assert defines["RAM_BASE"] == layout.RAM_BASE
    assert defines["S_BASE"] == layout.S_BASE
    assert defines["ROM_BASE"] == layout.ROM_BASE
    assert defines["ECALL_WRITE"] == layout.ECALL_WRITE
    assert defines["ECALL_YIELD"] == layout.ECALL_YIELD
    assert defines["ECALL_ABORT"] == layout.ECALL_ABORT
    assert defines["ECALL_PREIMAGE"] == layout.ECALL_PREIMAGE
    assert defines["FD_DEBUG"] == layout.FD_DEBUG
    assert defines["FD_HINT"] == layout.FD_HINT


def test_missing_source_is_a_precise_error(tmp_path: Path) -> None:
    with pytest.raises(SwapvmError, match="source guest/examples/nope.c does not exist"):
        build_image(ImageSpec("nope", ("guest/examples/nope.c",)), tmp_path / "x.elf")


def test_image_too_big_for_its_ram_is_a_link_error(tmp_path: Path) -> None:
    spec = ImageSpec("small", ("guest/examples/hello.c",), ram_size=0x1000)   # no room for the stack
    with pytest.raises(SwapvmError, match="zig cc failed.*no room for heap and stack"):
        build_image(spec, tmp_path / "x.elf")


def test_host_build_runs_guest_code_natively(tmp_path: Path) -> None:
    exe = build_host_executable(["guest/examples/hello.c"], tmp_path / "hello")
    done = subprocess.run([str(exe)], capture_output=True, text=True, check=False)
    assert done.returncode == 42
    assert "hello from machine AB" in done.stderr


def test_cli_build_guest_checks_the_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert swapvm_main(["build-guest", "hello", "--out", str(tmp_path), "--check"]) == 0
    out = capsys.readouterr().out
    assert sha256_file(tmp_path / "hello.elf") in out and "match" in out
    assert swapvm_main(["build-guest", "no-such-image", "--out", str(tmp_path)]) == 2
