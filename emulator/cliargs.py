"""The command-line conventions every `swapvm` command shares (README "Conventions", spec §5.4).

Numbers, addresses and output paths are argparse types, so a bad value is refused at parse time,
before any work, as one line and exit 2. `--json FILE` always takes an argument, `-` for stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from emulator.errors import SwapvmError

MAX_JOBS = 256  # --jobs and --workers: more processes than this is a typo, not a machine
PLOT_SUFFIXES = (".png", ".pdf", ".svg")
SCHEDULER_SCHEMES = ("tcp", "tls")
STDOUT = "-"


class UsageError(SwapvmError):
    """A command line argparse refuses: shown as one line, exit 2."""


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (no usage block), raised instead of exiting."""

    def error(self, message: str) -> NoReturn:
        """Raise the message with the command it belongs to, for main() to print as one line."""
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer (decimal or 0x…) in low..high (no upper bound when high is None)."""

    def parse(text: str) -> int:
        """The integer of text, or an ArgumentTypeError naming the allowed range."""
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low or (high is not None and value > high):
            allowed = f"is outside {low}..{high}" if high is not None else f"must be at least {low}"
            raise argparse.ArgumentTypeError(f"{value} {allowed}")
        return value

    parse.__name__ = "integer"
    return parse


def positive_seconds(text: str) -> float:
    """An argparse type: a duration in seconds, > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


positive = int_range(1)
non_negative = int_range(0)
jobs = int_range(1, MAX_JOBS)
log2_window = int_range(1, 63)


def scheduler_address(text: str) -> str:
    """An argparse type: a Dask scheduler address `tcp://HOST:PORT` (or tls://), PORT in 1..65535."""
    scheme, sep, rest = text.partition("://")
    host, colon, port = rest.rpartition(":")
    if not sep or scheme not in SCHEDULER_SCHEMES or not colon or not host.strip("[]"):
        raise argparse.ArgumentTypeError(f"{text!r} is not an address tcp://HOST:PORT")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: the port {port!r} is not a number in 1..65535")
    return text


def _nearest_existing(path: Path) -> Path:
    """path itself, or its closest ancestor that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(".")


def _probe_writable(folder: Path) -> str | None:
    """Why a file cannot be created in folder, or None: an explicit probe (root ignores permission bits)."""
    try:
        handle, name = tempfile.mkstemp(prefix=".swapvm-probe-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(handle)
    os.unlink(name)
    return None


def check_output_file(text: str) -> Path:
    """Refuse an output file that cannot be written: a directory, a parent that is no folder, no write access.

    An existing regular file is overwritten (as geth and forge do with their output files)."""
    path = Path(text)
    if path.is_dir():
        raise SwapvmError(f"{text} is a directory, not a file")
    folder = _nearest_existing(path.parent)
    if not folder.is_dir():
        raise SwapvmError(f"cannot write {text}: {folder} is not a directory")
    reason = _probe_writable(folder)
    if reason:
        raise SwapvmError(f"cannot write {text}: {reason}")
    return path


def check_output_dir(text: str) -> Path:
    """Refuse an output folder that cannot be created or written to (an existing file, no write access)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise SwapvmError(f"{text} exists and is not a directory")
    folder = _nearest_existing(path)
    if not folder.is_dir():
        raise SwapvmError(f"cannot create {text}: {folder} is not a directory")
    reason = _probe_writable(folder)
    if reason:
        raise SwapvmError(f"cannot write into {text}: {reason}")
    return path


def _as_type(check: Callable[[str], Path]) -> Callable[[str], Path]:
    """An argparse type from a check that raises SwapvmError."""

    def parse(text: str) -> Path:
        """check(text), with its refusal as an argparse error."""
        try:
            return check(text)
        except SwapvmError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__
    return parse


output_file = _as_type(check_output_file)
output_dir = _as_type(check_output_dir)


def json_target(text: str) -> str:
    """An argparse type: `-` (stdout) or a writable file."""
    if text != STDOUT:
        output_file(text)
    return text


def plot_file(text: str) -> Path:
    """An argparse type: a writable image file whose suffix names a format the plot can write."""
    if Path(text).suffix.lower() not in PLOT_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: the plot is written as {', '.join(PLOT_SUFFIXES)}")
    return output_file(text)


def input_file(text: str) -> Path:
    """An argparse type: an existing regular file."""
    path = Path(text)
    if not path.is_file():
        reason = "is not a file" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text} {reason}")
    return path


def input_dir(text: str) -> Path:
    """An argparse type: an existing folder."""
    path = Path(text)
    if not path.is_dir():
        reason = "is not a folder" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"{text} {reason}")
    return path


def existing_path(text: str) -> str:
    """An argparse type: a file or folder that exists."""
    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text


def comma_list(text: str) -> list[str]:
    """An argparse type: a non-empty comma-separated list of names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected one or more comma-separated names")
    return names


def add_json_option(parser: argparse.ArgumentParser, what: str = "the report") -> None:
    """`--json FILE`: write what as JSON to FILE, `-` for stdout (then stdout holds the JSON alone)."""
    parser.add_argument("--json", metavar="FILE", type=json_target,
                        help=f"write {what} as JSON to FILE (- for stdout, which then holds the JSON alone)")


def json_to_stdout(args: argparse.Namespace) -> bool:
    """True when --json - asks for stdout to hold the JSON alone."""
    return getattr(args, "json", None) == STDOUT


def emit_json(data: Any, target: str | None, indent: int | None = 2) -> None:
    """Write data as JSON to target (`-`: stdout; None: nowhere)."""
    if target is None:
        return
    text = json.dumps(data, indent=indent) + "\n"
    if target == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(target).write_text(text)
    except OSError as exc:
        raise SwapvmError(f"cannot write {target}: {exc.strerror}") from None


def block_label(index: int, number: int | None) -> str:
    """One block numbering everywhere: the window index (inbox position, from 0) and the header number."""
    return f"block {index}" + (f" (number {number})" if number is not None else "")
