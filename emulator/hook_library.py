"""The host-side Unicorn hook library (emulator/uc_hooks.c): built once by the pinned zig, cached.

The shared object is cached under $SWAPVM_CACHE (default ~/.cache/swapvm), named by the SHA-256
of its source, the compiler version and the flags, so a stale build is never used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from emulator.zig import ZIG_VERSION, zig_cc

HOOK_SOURCE = Path(__file__).with_name("uc_hooks.c")      # package data (pyproject.toml)
HOOK_FLAGS = ("-shared", "-fPIC", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-g0")


def cache_dir() -> Path:
    """Where host builds are cached."""
    return Path(os.environ.get("SWAPVM_CACHE", Path.home() / ".cache" / "swapvm"))


def hook_library() -> Path:
    """The path of the built hook library, building it if the cache has none for this source."""
    key = hashlib.sha256(HOOK_SOURCE.read_bytes() + ZIG_VERSION.encode() + " ".join(HOOK_FLAGS).encode())
    target = cache_dir() / f"uc_hooks-{key.hexdigest()[:16]}.so"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="swapvm-hooks-") as tmp:
        built = Path(tmp) / "uc_hooks.so"
        zig_cc([*HOOK_FLAGS, "-o", str(built), str(HOOK_SOURCE)], cwd=Path(tmp))
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(built, partial)
        os.replace(partial, target)   # atomic: concurrent builders never see half a file
    return target
