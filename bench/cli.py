"""`swapvm bench NAME`: every benchmark prints a table and writes JSON (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import importlib

from emulator.cliargs import add_json_option
from emulator.errors import SwapvmError

# name -> module with `add_arguments(parser)` and `run(args) -> int`
BENCHMARKS = {
    "machine": "bench.machine",
    "fast": "bench.fast",
    "guest": "bench.guest",
    "replay": "bench.replay",
    "dispute": "bench.dispute",
    "heap": "bench.heap",
    "mpt": "bench.mpt",
    "witness": "bench.witness",
    "live": "bench.live",
    "trie-heap": "bench.trie_heap",
    "scale": "bench.scale",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm bench <name>` for every benchmark module that exists."""
    bench = subparsers.add_parser("bench", help="run a benchmark; prints a table, --json FILE writes JSON")
    names = bench.add_subparsers(dest="bench_name", required=True)
    for name, module_name in BENCHMARKS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        parser = names.add_parser(name, help=(module.__doc__ or name).splitlines()[0])
        add_json_option(parser, "the figures")
        parser.add_argument("--check", action="store_true", help="exit 1 when a figure misses its goal")
        module.add_arguments(parser)
        parser.set_defaults(func=_runner(module_name))


def _runner(module_name: str):
    def run(args: argparse.Namespace) -> int:
        module = importlib.import_module(module_name)
        if not hasattr(module, "run"):
            raise SwapvmError(f"benchmark {module_name} has no run()")
        return module.run(args)

    return run
