"""The swapping layer's subcommands: `swapvm conformance …` (replay and dispute join here later)."""

from __future__ import annotations

import argparse

from swapping.conformance import register_evm


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm conformance` with its suites."""
    conformance = subparsers.add_parser("conformance", help="run conformance suites on the machines")
    suites = conformance.add_subparsers(dest="suite", required=True)
    register_evm(suites)
