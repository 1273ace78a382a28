"""`swapvm trace SOURCE --block K`: EIP-3155 traces of one block on A and on the guest, and the
first line where they differ (exit 1), or "traces agree"."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from emulator.cliargs import (
    add_json_option,
    block_label,
    emit_json,
    existing_path,
    int_range,
    json_to_stdout,
    output_dir,
)
from emulator.errors import SwapvmError
from toolchain.build import TRACE_IMAGES


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm trace`."""
    parser = subparsers.add_parser(
        "trace", help="EIP-3155 traces of one block on A and AB, and where they differ"
    )
    parser.add_argument(
        "source",
        type=existing_path,
        help="a BlockchainTests file or directory, a TOML description, or an S file",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--block",
        type=int_range(0),
        metavar="K",
        help="the block at window index K (its position in the inbox, from 0)",
    )
    which.add_argument("--number", type=int_range(0), metavar="N", help="the block whose header number is N")
    parser.add_argument(
        "--tx", type=int_range(0), metavar="I", help="compare only transaction I of the block (from 0)"
    )
    parser.add_argument("--test", help="the test of a fixture file that holds several")
    parser.add_argument(
        "--image",
        default="guest-trace",
        choices=TRACE_IMAGES,
        help="the guest's trace build (guest-trace-plant-add has a planted divergence)",
    )
    parser.add_argument(
        "--backend",
        default="unicorn",
        choices=("unicorn", "fast", "reference"),
        help="AB engine (default unicorn)",
    )
    parser.add_argument(
        "--states",
        metavar="DIR",
        type=output_dir,
        help="write S' of each machine as DIR/a.bin and DIR/ab.bin (for swapvm state diff)",
    )
    from swapping.window_cli import add_version_arguments

    add_version_arguments(parser)
    add_json_option(parser, "the counts and the first difference")
    parser.set_defaults(func=run)


def _line(item: Any) -> str:
    """One side of a difference as its EIP-3155 JSON line."""
    return (
        json.dumps(item.to_json(), separators=(",", ":"))
        if item is not None
        else "(no line: the trace ended)"
    )


def _where(item: Any) -> str:
    """pc, opcode and depth of an opcode line; 'summary' for a transaction's summary line."""
    if item is None:
        return "end of trace"
    if hasattr(item, "pc"):
        return f"pc {item.pc} {item.op_name}, depth {item.depth}"
    return "the summary line"


def print_report(report: Any, out: Any = None) -> None:
    """The human form: the block, then either 'traces agree' or the first difference."""
    from fastvm.eip3155 import line_count

    out = out or sys.stdout
    a_lines, ab_lines = line_count(report.a), line_count(report.ab)
    print(
        f"{report.chain} {block_label(report.index, report.number)}: {len(report.a)} transactions, "
        f"A {a_lines} lines, AB {ab_lines} lines",
        file=out,
    )
    d = report.divergence
    if d is None:
        print(f"traces agree ({a_lines} lines)", file=out)
        return
    shown = d.a if d.a is not None else d.ab
    print(
        f"first difference: transaction {d.tx}, line {d.line}, {_where(shown)}: "
        f"{', '.join(d.fields)} {'differs' if len(d.fields) == 1 else 'differ'}",
        file=out,
    )
    print(f"  A : {_line(d.a)}", file=out)
    print(f"  AB: {_line(d.ab)}", file=out)
    if d.previous is not None:
        p = d.previous
        print(
            f"  the line before agrees: the difference arose in {p.op_name} "
            f"(transaction {d.tx}, pc {p.pc}, depth {p.depth})",
            file=out,
        )
    else:
        print("  it is the transaction's first line: the difference arose before its first opcode", file=out)


def _write_states(report: Any, folder: Path) -> None:
    """S' of A and of AB as S files in folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "a.bin").write_bytes(report.a_state)
        (folder / "ab.bin").write_bytes(report.ab_state)
    except OSError as exc:
        raise SwapvmError(f"cannot write the states to {folder}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    """Trace, print, write the JSON; exit 1 when the traces differ."""
    from fastvm.state_v2 import EssentialStateV2
    from swapping.guest_forks import require_guest_forks
    from swapping.source import chain_store, load_sources
    from swapping.trace import block_index, block_index_v2, trace_both, trace_both_v2
    from swapping.trace_guest import trace_image

    image = trace_image(args.image)
    preimages = chain_store(args.source, args.s_version, args.store)
    chains = load_sources(args.source, args.test, image.s_size, None, args.s_version, preimages)[0]
    require_guest_forks(chains)
    if len(chains) > 1:
        names = ", ".join(name for name, _ in chains[:3])
        raise SwapvmError(f"{args.source} holds {len(chains)} chains ({names}, …): choose one with --test")
    [(chain, s0)] = chains
    if isinstance(s0, EssentialStateV2):
        index = block_index_v2(s0, preimages, args.block, args.number)
        report = trace_both_v2(chain, s0, preimages, index, image, args.backend, args.tx)
    else:
        index = block_index(s0, args.block, args.number)
        report = trace_both(chain, s0, index, image, args.backend, args.tx)
    if not json_to_stdout(args):
        print_report(report)
    if args.states:
        _write_states(report, Path(args.states))
    emit_json(report.to_json(), args.json)
    return 0 if report.divergence is None else 1
