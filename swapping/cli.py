"""The `swapvm` command line: each component registers its own subcommands.

Component CLI modules must import cheaply (no Unicorn or py-evm at import time); the work
happens inside their handlers. Exit codes (README "Conventions"): 0 success, 1 a negative verdict,
2 bad usage or input (a `SwapvmError` or an `OSError`: one line on stderr, never a traceback),
3 an internal error (one line; SWAPVM_TRACEBACK=1 shows the traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from emulator.cliargs import OneLineParser
from emulator.errors import SwapvmError

# Each module defines `register(subparsers) -> None`; a handler is stored as `func` on its parser.
COMMAND_MODULES = (
    "emulator.cli",
    "toolchain.cli",
    "fastvm.cli",
    "swapping.commands",
    "swapping.replay_cli",
    "swapping.window_cli",
    "swapping.trace_cli",
    "swapping.dispute.cli",
    "bench.cli",
)
INTERNAL_ERROR = 3


def version() -> str:
    """The installed package's version (or "unknown" when run from a bare checkout)."""
    try:
        return metadata.version("swapvm")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """Collect every component's subcommands into one parser."""
    parser = OneLineParser(prog="swapvm", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"swapvm {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that component has no commands yet
                continue
            raise
        module.register(subparsers)
    return parser


def _fail(message: str, code: int) -> int:
    """Print one line on stderr and return the exit code."""
    print(f"swapvm: {message}".replace("\n", " "), file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors exit 2 with a one-line message."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        result = args.func(args)
    except SystemExit as exc:   # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except SwapvmError as exc:
        return _fail(f"error: {exc}", exc.exit_code)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"error: {where}{exc.strerror or exc}", 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("SWAPVM_TRACEBACK"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (SWAPVM_TRACEBACK=1 shows where)",
                     INTERNAL_ERROR)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
