"""The one way a benchmark hands out its results: JSON where --json says, goals judged under --check."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from emulator import cliargs


def emit_json(report: dict[str, Any], args: argparse.Namespace) -> bool:
    """Write the report where --json says; True when stdout holds the JSON alone (`--json -`)."""
    cliargs.emit_json(report, args.json)
    return cliargs.json_to_stdout(args)


def goal_verdict(missed: list[str], args: argparse.Namespace) -> int:
    """Name every missed goal on stderr; exit 1 only under --check (timings depend on the machine's load)."""
    for goal in missed:
        print(f"goal not met: {goal}", file=sys.stderr)
    return 1 if missed and args.check else 0
