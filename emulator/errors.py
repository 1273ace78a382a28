"""The one error type that reaches the user: a precise message and exit code 2, never a traceback."""

from __future__ import annotations


class SwapvmError(Exception):
    """Bad input or a refused operation; the message is shown to the user as one line."""

    exit_code = 2
