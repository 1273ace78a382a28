"""`swapvm fast witness`, `fast witness-run` and `fast witness-import`: export, check and load witnesses.

Imports stay cheap: py-evm is loaded inside the handlers only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from emulator.cliargs import (
    add_json_option,
    emit_json,
    input_file,
    json_to_stdout,
    non_negative,
    output_dir,
    output_file,
)
from emulator.errors import SwapvmError

STORE_FILE = "preimages.sqlite"


def open_store(folder: Path | None):  # noqa: ANN201 - py-evm is imported lazily
    """The preimage store in folder (created if new), or an in-memory one."""
    from fastvm.preimages import PreimageStore

    if folder is None:
        return PreimageStore()
    folder.mkdir(parents=True, exist_ok=True)
    return PreimageStore(folder / STORE_FILE)


def witness_summary(witness) -> dict:  # noqa: ANN001 - fastvm.witness.Witness, imported lazily
    """Entry counts and bytes of a witness."""
    return {"state_nodes": len(witness.state), "codes": len(witness.codes), "keys": len(witness.keys),
            "headers": len(witness.headers), "entries": witness.entries, "bytes": witness.size}


def _describe(summary: dict) -> str:
    """One line of counts."""
    return (f"{summary['state_nodes']} nodes, {summary['codes']} codes, {summary['keys']} keys, "
            f"{summary['headers']} headers, {summary['bytes']:,} bytes")


def _export(args: argparse.Namespace) -> int:
    """Run A over the inbox up to block K, recording, and write block K's witness."""
    from fastvm.export_v2 import ExporterV2
    from fastvm.sfiles import read_any
    from fastvm.state_v2 import EssentialStateV2
    from fastvm.witness import RecordingMachine
    from fastvm.witness_json import save_witness

    state, v2_store = read_any(args.file, args.store)   # version 2: S's own store (--store or its folder)
    length = state.inbox.length if isinstance(state, EssentialStateV2) else len(state.inbox)
    block = state.cursor if args.block is None else args.block
    if not state.cursor <= block < length:
        raise SwapvmError(f"--block {block}: S's next block is {state.cursor} and its inbox holds {length}")
    store = v2_store if v2_store is not None else open_store(args.store)
    machine = ExporterV2(store) if v2_store is not None else RecordingMachine(store)
    while True:
        index = state.cursor
        state, info, witness = machine.export(state)
        if index == block:
            break
    store.close()
    save_witness(args.output, witness)
    summary = {"block": block, "number": info.number, "status": info.status.name.lower(),
               "reason": info.reason.label if info.reason else "", **witness_summary(witness)}
    emit_json(summary, args.json)
    if not json_to_stdout(args):
        print(f"{args.output}: block {block} ({summary['status']}), {_describe(summary)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Apply S's next block on the witness alone and print its outcome (a missing key: one line, exit 2)."""
    from fastvm.export_v2 import replay_v2
    from fastvm.sfiles import decode_any
    from fastvm.state_v2 import EssentialStateV2
    from fastvm.witness import replay
    from fastvm.witness_json import load_witness

    try:
        state = decode_any(Path(args.file).read_bytes())
    except OSError as exc:
        raise SwapvmError(f"cannot read {args.file}: {exc.strerror}") from exc
    length = state.inbox.length if isinstance(state, EssentialStateV2) else len(state.inbox)
    if state.cursor >= length:
        raise SwapvmError(f"{args.file}: the inbox has no block left to apply")
    witness = load_witness(args.witness)   # version 2: the witness alone, inbox nodes included
    after, info = replay_v2(state, witness) if isinstance(state, EssentialStateV2) else replay(state, witness)
    outcome = after.outcome
    report = {"block": state.cursor, "number": info.number, "status": info.status.name.lower(),
              "reason": info.reason.label if info.reason else "", "detail": info.detail,
              "gas_used": outcome.gas_used, "state_root": "0x" + outcome.state_root.hex(),
              "receipts_root": "0x" + outcome.receipts_root.hex()}
    emit_json(report, args.json)
    if not json_to_stdout(args):
        verdict = report["status"] + (f" ({report['reason']}: {info.detail})" if report["reason"] else "")
        print(f"block {state.cursor}: {verdict}, gas {outcome.gas_used}, state root {report['state_root']}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """Check a witness JSON file and add its preimages to a store."""
    from fastvm.witness_json import import_witness, load_witness

    witness = load_witness(args.witness)
    store = open_store(args.store)
    written = import_witness(store, witness)
    store.close()
    print(f"{args.store / STORE_FILE}: {written} preimages added ({_describe(witness_summary(witness))})")
    return 0


def register(fast_actions: argparse._SubParsersAction) -> None:
    """Add the witness subcommands under `swapvm fast`."""
    export = fast_actions.add_parser(
        "witness", help="run A up to a block and write its witness (debug_executionWitness JSON)"
    )
    export.add_argument("file", type=input_file, help="an S file")
    export.add_argument("--block", type=non_negative, metavar="K",
                        help="the inbox index of the block (default: S's next block)")
    export.add_argument("-o", "--output", type=output_file, required=True, help="the witness JSON to write")
    export.add_argument("--store", type=output_dir, metavar="DIR",
                        help=f"keep the world in DIR/{STORE_FILE} (reused: a stored world is not rebuilt)")
    add_json_option(export, "the witness's counts")
    export.set_defaults(func=_export)
    run = fast_actions.add_parser("witness-run", help="apply S's next block on a witness alone")
    run.add_argument("file", type=input_file, help="an S file (its next block is applied)")
    run.add_argument("witness", type=input_file, help="the block's witness JSON")
    add_json_option(run, "the outcome")
    run.set_defaults(func=_run)
    load = fast_actions.add_parser("witness-import",
                                   help="check a witness JSON and add it to a preimage store")
    load.add_argument("witness", type=input_file, help="a debug_executionWitness JSON file")
    load.add_argument("--store", type=output_dir, required=True, metavar="DIR",
                      help=f"the store folder ({STORE_FILE} inside)")
    load.set_defaults(func=_import)
