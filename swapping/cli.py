"""The `swapvm` command line: each component registers its own subcommands.

Component CLI modules must import cheaply (no Unicorn or py-evm at import time); the work
happens inside their handlers. A `SwapvmError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from emulator.errors import SwapvmError

# Each module defines `register(subparsers) -> None`; a handler is stored as `func` on its parser.
COMMAND_MODULES = (
    "emulator.cli",
    "toolchain.cli",
    "fastvm.cli",
    "swapping.commands",
    "swapping.replay_cli",
    "swapping.trace_cli",
    "swapping.dispute.cli",
    "bench.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """Collect every component's subcommands into one parser."""
    parser = argparse.ArgumentParser(prog="swapvm", description=__doc__.splitlines()[0])
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors exit 2 with a one-line message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except SwapvmError as exc:
        print(f"swapvm: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("swapvm: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
