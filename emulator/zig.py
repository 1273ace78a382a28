"""The pinned compiler: ziglang from PyPI, run as `python -m ziglang`, at exactly one version.

A leaf of the emulator (it imports only emulator.errors): the emulator builds its Unicorn hook
library with it, and the toolchain (a floor above) builds guest images with it (spec §3.6).
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from emulator.errors import SwapvmError

ZIG_VERSION = "0.17.0"  # must equal the ziglang pin in pyproject.toml


@functools.cache
def zig_version() -> str:
    """The version the installed ziglang reports (cached per process)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ziglang", "version"], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise SwapvmError(f"cannot run the zig compiler: {exc}") from None
    if done.returncode != 0:
        raise SwapvmError("ziglang is not installed: run scripts/setup.sh (pip install ziglang)")
    return done.stdout.strip()


def check_zig() -> None:
    """Refuse to build with any zig but the pinned one (images must be reproducible)."""
    found = zig_version()
    if found != ZIG_VERSION:
        raise SwapvmError(
            f"zig {found} found, pinned to {ZIG_VERSION} (pip install ziglang=={ZIG_VERSION})"
        )


def zig_cc(args: Sequence[str], cwd: Path) -> None:
    """Run `zig cc` with args in cwd; a compiler error becomes a SwapvmError with its output."""
    check_zig()
    done = subprocess.run(
        [sys.executable, "-m", "ziglang", "cc", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        detail = " | ".join(lines[:6]) if lines else f"exit {done.returncode}"
        raise SwapvmError(f"zig cc failed: {detail}")
