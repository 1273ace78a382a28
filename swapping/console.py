"""The rich console every table is printed on: never wrapping a hash, on a terminal or in a pipe."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PIPE_WIDTH = 240  # a piped table is laid out this wide (rich would use 80), so a 64-digit root stays whole


def console() -> Console:
    """The terminal's own width on a terminal; PIPE_WIDTH columns when stdout is a file or a pipe."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=PIPE_WIDTH)
