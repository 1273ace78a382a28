"""The one way a benchmark hands out its JSON: to --out when given, to stdout alone with --json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError


def emit_json(report: dict[str, Any], args: argparse.Namespace) -> bool:
    """Write the report to --out if given; print it and return True when --json asks for JSON only."""
    text = json.dumps(report, indent=2)
    if getattr(args, "out", None):
        try:
            Path(args.out).write_text(text + "\n")
        except OSError as exc:
            raise SwapvmError(f"cannot write {args.out}: {exc.strerror}") from None
    if args.json:
        print(text)
        return True
    return False
