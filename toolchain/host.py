"""Native builds of guest C for the host: unit-test drivers over guest/host/rt_host.c, with sanitizers.

Guest code runs natively against the libc-backed runtime (rt.h), compiled by the system C
compiler (`cc`, or $CC) with AddressSanitizer and UndefinedBehaviorSanitizer by default.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from emulator.errors import SwapvmError
from toolchain.build import ROOT

HOST_RUNTIME = "guest/host/rt_host.c"
SANITIZE_FLAGS = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer")
HOST_FLAGS = ("-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-Iguest/include")


def host_compiler() -> list[str]:
    """The host C compiler command: $CC if set, else cc."""
    command = shlex.split(os.environ.get("CC", "cc"))
    if not command or shutil.which(command[0]) is None:
        raise SwapvmError(f"no host C compiler: {command[0] if command else '$CC is empty'} not found")
    return command


def build_host_executable(
    sources: Sequence[str | Path],
    out: str | Path,
    *,
    sanitize: bool = True,
    include_dirs: Sequence[str | Path] = (),
    defines: Sequence[str] = (),
    extra_flags: Sequence[str] = (),
    runtime: bool = True,
) -> Path:
    """Compile guest sources (paths relative to the repo root, or absolute) plus rt_host.c into out.

    Returns the executable's path. A compiler error becomes a SwapvmError with its first lines.
    """
    paths = [str(s) for s in sources] + ([HOST_RUNTIME] if runtime else [])
    for source in paths:
        if not (ROOT / source).is_file():
            raise SwapvmError(f"host build: source {source} does not exist")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        *host_compiler(),
        *HOST_FLAGS,
        *(SANITIZE_FLAGS if sanitize else ()),
        *(f"-I{d}" for d in include_dirs),
        *(f"-D{d}" for d in defines),
        *extra_flags,
        "-o", str(out),
        *paths,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        detail = " | ".join(lines[:6]) if lines else f"exit {done.returncode}"
        raise SwapvmError(f"host build failed: {detail}")
    return out
