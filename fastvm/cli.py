"""`swapvm state ...` and `swapvm fast run`: build S files and run machine A over their inboxes.

Imports stay cheap: py-evm is loaded inside the handlers only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_S_SIZE
from fastvm.codec import decode, encode, image_root
from fastvm.state import EssentialState, Status


def read_state(path: str) -> EssentialState:
    """Decode an S file (an image, with or without zero padding)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SwapvmError(f"cannot read {path}: {exc.strerror}") from exc
    return decode(data)


def write_state(path: str, state: EssentialState) -> bytes:
    """Write encode(S) to a file; returns the S root."""
    image = encode(state)
    try:
        Path(path).write_bytes(image)
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from exc
    return image_root(image)


def _from_fixture(args: argparse.Namespace) -> int:
    """Build S0 from one test of a BlockchainTests file."""
    from fastvm.fixtures import initial_state, load_file

    tests = load_file(Path(args.file))
    if args.test:
        tests = [t for t in tests if t.name == args.test]
        if not tests:
            raise SwapvmError(f"{args.file} has no test named {args.test!r}")
    elif len(tests) != 1:
        names = ", ".join(t.name for t in tests[:5])
        raise SwapvmError(f"{args.file} holds {len(tests)} tests ({names}, …): choose one with --test")
    root = write_state(args.output, initial_state(tests[0]))
    print(f"{args.output}: {tests[0].name}, {len(tests[0].blocks)} blocks, S root 0x{root.hex()}")
    return 0


def _from_description(args: argparse.Namespace) -> int:
    """Build S0 from a TOML or JSON description (accounts, code, transactions packed into blocks)."""
    from fastvm.describe import state_from_description_file

    state = state_from_description_file(Path(args.file))
    root = write_state(args.output, state)
    print(f"{args.output}: {len(state.accounts)} accounts, {len(state.inbox)} blocks, S root 0x{root.hex()}")
    return 0


def emit_json(target: str, data: object) -> None:
    """Write JSON to a file, or to standard output for "-"."""
    text = json.dumps(data, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
        return
    try:
        Path(target).write_text(text)
    except OSError as exc:
        raise SwapvmError(f"cannot write {target}: {exc.strerror}") from exc


def _show(args: argparse.Namespace) -> int:
    """Print a summary of an S file; with --accounts (and --storage) every account (and slot)."""
    from fastvm.inspect_state import account_entry, hex0x, world_state_root

    state = read_state(args.file)
    summary = state_summary(state)
    summary["state_root"] = hex0x(world_state_root(state))
    listed = args.accounts or args.storage
    if listed:
        summary["account_list"] = [account_entry(a, args.storage) for a in state.accounts]
    if args.json:
        emit_json(args.json, summary)
        if args.json == "-":
            return 0
    for key, value in summary.items():
        if key != "account_list":
            print(f"{key:>16}: {value}")
    if listed:
        print(f"{'address':<42} {'nonce':>8} {'balance':>28} {'code hash':<66} {'code':>7} {'slots':>6}")
        for entry in summary["account_list"]:
            print(f"{entry['address']:<42} {entry['nonce']:>8} {entry['balance']:>28} "
                  f"{entry['code_hash']:<66} {entry['code_size']:>7} {entry['storage_slots']:>6}")
            for key, value in entry.get("storage", {}).items():
                print(f"    {key} = {value}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Print every difference between two S files; exit 1 when they differ, 0 when equal."""
    from fastvm.inspect_state import diff_lines, diff_states

    first, second = read_state(args.first), read_state(args.second)
    diff = diff_states(first, second)
    if args.json:
        emit_json(args.json, diff)
    if args.json != "-":
        lines = diff_lines(diff, ("first", "second"))
        print("\n".join(lines) if lines else "the states are equal")
    return 0 if diff["equal"] else 1


def state_summary(state: EssentialState) -> dict:
    """The headline facts of a state, as JSON-ready values."""
    from emulator.merkle import keccak

    image = encode(state)
    return {
        "s_root": "0x" + image_root(image).hex(),
        "bytes": len(image),
        "chain_id": state.chain_id,
        "fork": state.fork.name.lower(),
        "parent_hash": "0x" + keccak(state.parent_header).hex(),
        "accounts": len(state.accounts),
        "storage_slots": sum(len(a.storage) for a in state.accounts),
        "inbox": len(state.inbox),
        "cursor": state.cursor,
        "outcome": state.outcome.status.name.lower()
        + (f" ({state.outcome.reason.label})" if state.outcome.status == Status.REJECTED else ""),
    }


def _run(args: argparse.Namespace) -> int:
    """Run A over the inbox, write every snapshot named by its S root, print the per-block table."""
    from fastvm.runner import run_blocks

    state = read_state(args.file)
    out = Path(args.out) if args.out else None
    if args.s_size < 16:
        raise SwapvmError("--s-size must be at least 16 bytes")
    report = run_blocks(state, args.blocks, out, args.s_size)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'block':>6} {'number':>7} {'gas':>10} {'outcome':<28} {'A s':>8}  S root")
    for row in report["blocks"]:
        outcome = row["status"] if row["status"] != "rejected" else f"rejected: {row['reason']}"
        number = "-" if row["number"] is None else row["number"]
        print(
            f"{row['index']:>6} {number:>7} {row['gas_used']:>10} {outcome:<28} {row['seconds']:>8.3f}  "
            f"{row['s_root'][:18]}…"
        )
    print(
        f"final S root {report['final_s_root']}; {report['mgas_per_s']:.3f} Mgas/s"
        f" over {len(report['blocks'])} blocks" + (f"; snapshots in {out}" if out else ""),
        file=sys.stdout,
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm state` and `swapvm fast`."""
    state = subparsers.add_parser("state", help="build and inspect essential states (S files)")
    actions = state.add_subparsers(dest="state_command", required=True)
    fixture = actions.add_parser(
        "from-fixture", help="S0 from a BlockchainTests test: genesis, pre-state, blocks"
    )
    fixture.add_argument("file", help="a BlockchainTests JSON file")
    fixture.add_argument("--test", help="the test's name (required if the file holds several)")
    fixture.add_argument("-o", "--output", required=True, help="where to write S0")
    fixture.set_defaults(func=_from_fixture)
    describe = actions.add_parser(
        "from-description", help="S0 from a TOML/JSON description of accounts and txs"
    )
    describe.add_argument("file", help="a .toml/.json description (see fastvm/describe.py)")
    describe.add_argument("-o", "--output", required=True, help="where to write S0")
    describe.set_defaults(func=_from_description)
    show = actions.add_parser("show", help="print the summary of an S file (and its accounts)")
    show.add_argument("file")
    show.add_argument("--accounts", action="store_true", help="list every account")
    show.add_argument("--storage", action="store_true", help="list every account with its storage slots")
    show.add_argument("--json", metavar="FILE", help="write the summary as JSON to FILE (- for stdout)")
    show.set_defaults(func=_show)
    diff = actions.add_parser("diff", help="every differing field, account and slot of two S files")
    diff.add_argument("first")
    diff.add_argument("second")
    diff.add_argument("--json", metavar="FILE", help="write the differences as JSON to FILE (- for stdout)")
    diff.set_defaults(func=_diff)

    fast = subparsers.add_parser("fast", help="machine A (py-evm, one step = one block)")
    fast_actions = fast.add_subparsers(dest="fast_command", required=True)
    run = fast_actions.add_parser("run", help="run A over the inbox of an S file")
    run.add_argument("file", help="the initial S file")
    run.add_argument("--blocks", type=int, help="apply at most this many blocks (default: the whole inbox)")
    run.add_argument("--out", help="directory for the snapshots (<S root hex>.bin) and blocks.json")
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument(
        "--s-size", type=int, default=DEFAULT_S_SIZE, help="S window bytes (check 8; default 64 MiB)"
    )
    run.set_defaults(func=_run)
