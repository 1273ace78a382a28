"""`swapvm state ...` and `swapvm fast run`: build S files and run machine A over their inboxes.

Imports stay cheap: py-evm is loaded inside the handlers only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emulator.cliargs import (
    add_json_option,
    emit_json,
    input_dir,
    input_file,
    int_range,
    json_to_stdout,
    non_negative,
    output_dir,
    output_file,
    positive,
)
from emulator.errors import SwapvmError
from emulator.layout import DEFAULT_S_SIZE
from fastvm.codec import decode, encode, image_root
from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS, AnyState, write_any
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
    return write_any(Path(path), state)


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
    test = tests[0]
    if args.s_version == 2:
        from fastvm.fixtures import chain_config, genesis_header
        from fastvm.sfiles import to_v2

        s1 = EssentialState(chain_id=chain_config(test).chain_id, fork=test.fork,
                            parent_header=genesis_header(test.genesis_rlp, test.fork), accounts=test.pre,
                            inbox=test.blocks)
        state: AnyState = to_v2(s1, _output_store(args), chain_config(test))
    else:
        state = initial_state(test)
    root = write_any(Path(args.output), state)
    print(f"{args.output}: {test.name}, {len(test.blocks)} blocks, S root 0x{root.hex()}{_store_note(args)}")
    return 0


def _output_store(args: argparse.Namespace):  # noqa: ANN202 - PreimageStore, imported lazily
    """The preimage store an S of version 2 is written with: --store DIR, default the output's folder."""
    from fastvm.sfiles import open_preimages

    if not hasattr(args, "preimages"):
        args.preimages = open_preimages(args.store or Path(args.output).resolve().parent)
    return args.preimages


def _store_note(args: argparse.Namespace) -> str:
    """Where the world of a version 2 S went (the store is closed: its journal folded into the file)."""
    store = getattr(args, "preimages", None)
    if store is None:
        return ""
    store.close()
    return f" (version 2; world and inbox in {store.path})"


def add_version_options(parser: argparse.ArgumentParser) -> None:
    """--s-version and --store: write S version 2 with its preimage store."""
    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help=f"the S format to write (default {DEFAULT_S_VERSION}; 2: the world and inbox go "
                             "into a preimage store, spec §6)")
    parser.add_argument("--store", type=output_dir, metavar="DIR",
                        help="version 2: the folder of the preimage store (default: the output's folder)")


def _from_description(args: argparse.Namespace) -> int:
    """Build S0 from a TOML or JSON description (accounts, code, transactions packed into blocks)."""
    from fastvm.describe import state_from_description_file

    state = state_from_description_file(Path(args.file))
    written: AnyState = state
    if args.s_version == 2:
        from fastvm.sfiles import to_v2

        written = to_v2(state, _output_store(args))
    root = write_any(Path(args.output), written)
    print(f"{args.output}: {len(state.accounts)} accounts, {len(state.inbox)} blocks, S root 0x{root.hex()}"
          f"{_store_note(args)}")
    return 0


def _from_workload(args: argparse.Namespace) -> int:
    """S0 of version 2 over a world of --accounts accounts built straight into the store, with blocks of
    transfers or ERC-20 transfers (fastvm/scale_world.py): a chain of any world size to replay."""
    import resource
    import time

    from fastvm.scale_world import ScaleWorld, scale_chain

    world = ScaleWorld.make(args.workload, args.accounts, args.txs, args.blocks)
    start = time.perf_counter()
    state = scale_chain(world, _output_store(args))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    root = write_any(Path(args.output), state)
    print(f"{args.output}: {args.accounts:,} accounts, {args.blocks} blocks of {args.txs} {args.workload}, "
          f"S root 0x{root.hex()}; world and blocks built in {seconds:.1f} s, peak memory {peak:,.0f} MiB"
          f"{_store_note(args)}")
    return 0


def add_range_options(parser: argparse.ArgumentParser) -> None:
    """--from N and --to M: which blocks of a chain file, by header number."""
    parser.add_argument("--from", dest="first", type=non_negative, metavar="N",
                        help="start at block number N: A applies the blocks before it, unchecked")
    parser.add_argument("--to", dest="last", type=non_negative, metavar="M", help="stop after block number M")


def check_range(args: argparse.Namespace) -> None:
    """Refuse --from after --to."""
    if args.first is not None and args.last is not None and args.first > args.last:
        raise SwapvmError(f"--from {args.first} is after --to {args.last}")


def _from_genesis(args: argparse.Namespace) -> int:
    """Build S0 from a geth-style genesis and, optionally, the blocks of a `geth export` file."""
    from fastvm.chainfile import read_blocks, state_from_genesis
    from fastvm.genesis import load_genesis

    check_range(args)
    genesis = load_genesis(args.file)
    blocks = read_blocks(args.blocks) if args.blocks else []
    if args.s_version == 2:   # the genesis' fork schedule is in S: a chain may cross a fork time
        from fastvm.sfiles import genesis_v2

        s2 = genesis_v2(genesis, blocks, args.first, args.last, _output_store(args))
        root = write_any(Path(args.output), s2)
        print(f"{args.output}: {genesis.fork.name.title()}, chain id {genesis.chain_id}, "
              f"{len(genesis.accounts)} accounts, {s2.pending} blocks pending, S root 0x{root.hex()}"
              f"{_store_note(args)}")
        return 0
    state = state_from_genesis(genesis, blocks, args.first, args.last)
    root = write_state(args.output, state)
    print(f"{args.output}: {genesis.fork.name.title()}, chain id {genesis.chain_id}, {len(state.accounts)} "
          f"accounts, {state.pending} blocks pending, S root 0x{root.hex()}")
    for key, time in genesis.later_forks:   # S holds one fork: say where its chain must end
        print(f"note: config.{key} = {time}: blocks from that time on cannot be appended to this S "
              "(spec §4.2)")
    return 0


def _append(args: argparse.Namespace) -> int:
    """Append the blocks of a `geth export` file to an S file's inbox."""
    from fastvm.chainfile import append_blocks, read_blocks

    check_range(args)
    from fastvm.sfiles import read_any

    loaded, store = read_any(Path(args.file), args.store)
    if store is not None:
        return _append_v2(args, loaded, store, read_blocks(args.chain))  # type: ignore[arg-type]
    before = read_state(args.file)
    state = append_blocks(before, read_blocks(args.chain), args.first, args.last)
    root = write_state(args.output, state)
    print(f"{args.output}: {len(state.inbox) - len(before.inbox)} blocks appended, {state.pending} pending, "
          f"S root 0x{root.hex()}")
    return 0


def _show(args: argparse.Namespace) -> int:
    """Print a summary of an S file; with --accounts (and --storage) every account (and slot)."""
    from fastvm.inspect_state import account_entry, hex0x, world_state_root
    from fastvm.sfiles import read_any

    any_state, store = read_any(Path(args.file), args.store)
    if store is not None:   # version 2: the world is in the store, S holds its root
        if args.accounts or args.storage:
            raise SwapvmError(f"{args.file} is an S of version 2: its accounts are in the preimage store, "
                              "not in S (--accounts and --storage list a version 1 S)")
        return _print_summary(state_summary_v2(any_state), args)  # type: ignore[arg-type]
    state = any_state
    assert isinstance(state, EssentialState)
    summary = state_summary(state)
    summary["state_root"] = hex0x(world_state_root(state))
    listed = args.accounts or args.storage
    if listed:
        summary["account_list"] = [account_entry(a, args.storage) for a in state.accounts]
    emit_json(summary, args.json)
    if json_to_stdout(args):
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


def _print_summary(summary: dict, args: argparse.Namespace) -> int:
    """Emit a summary as JSON and as aligned lines."""
    emit_json(summary, args.json)
    if not json_to_stdout(args):
        for key, value in summary.items():
            print(f"{key:>16}: {value}")
    return 0


def state_summary_v2(state) -> dict:  # noqa: ANN001 - EssentialStateV2
    """The headline facts of an S of version 2 (commitments: the world's root, the inbox's root)."""
    from emulator.merkle import keccak
    from fastvm.codec_v2 import encode_v2
    from fastvm.witness import state_root_of_header

    image = encode_v2(state)
    outcome = state.outcome
    return {
        "s_root": "0x" + image_root(image).hex(),
        "version": 2,
        "bytes": len(image),
        "chain_id": state.config.chain_id,
        "forks": ", ".join(f"{e.fork.name.lower()} from {e.time}" for e in state.config.forks),
        "parent_hash": "0x" + keccak(state.parent_header).hex(),
        "state_root": "0x" + state_root_of_header(state.parent_header).hex(),
        "inbox": state.inbox.length,
        "inbox_root": "0x" + state.inbox.root.hex(),
        "cursor": state.cursor,
        "outcome": outcome.status.name.lower()
        + (f" ({outcome.reason.label})" if outcome.status == Status.REJECTED else ""),
    }


def _append_v2(args: argparse.Namespace, before, store, blocks: list) -> int:  # noqa: ANN001 - S v2, store
    """`state append` on S version 2: the blocks join the inbox trie in S's store; an output in another
    folder gets a copy of the store beside it (an S file and its store stay side by side)."""
    from fastvm.sfiles import append_v2, merge_store, store_path

    state, count = append_v2(before, blocks, args.first, args.last, store)
    store.close()
    root = write_any(Path(args.output), state)
    target = Path(args.output).resolve().parent
    if args.store is None and store.path is not None and target != store.path.resolve().parent:
        from fastvm.preimages import PreimageStore

        PreimageStore(store_path(target)).close()   # the schema, then the entries
        merge_store(store.path.parent, store_path(target))
    print(f"{args.output}: {count} blocks appended, {state.pending} pending, S root 0x{root.hex()} "
          f"(version 2)")
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Print every difference between two S files; exit 1 when they differ, 0 when equal."""
    from fastvm.inspect_state import diff_states, diff_table
    from fastvm.sfiles import decode_any, diff_v2_lines

    images = []
    for path in (args.first, args.second):
        try:
            images.append(Path(path).read_bytes())
        except OSError as exc:
            raise SwapvmError(f"cannot read {path}: {exc.strerror}") from exc
    states = [decode_any(image) for image in images]
    if any(not isinstance(state, EssentialState) for state in states):   # version 2: top-level fields
        lines = diff_v2_lines(states[0], states[1], ("first", "second"))
        emit_json({"equal": not lines, "differences": lines}, args.json)
        if not json_to_stdout(args):
            print("\n".join(lines) if lines else "the states are equal")
        return 1 if lines else 0
    first, second = states
    diff = diff_states(first, second)
    emit_json(diff, args.json)
    if not json_to_stdout(args):
        count = len(diff_table(diff)) - 1
        print("\n".join(diff_table(diff)) if count else "the states are equal")
        if count:
            plural = "s" if count > 1 else ""
            print(f"{count} difference{plural}: first = {args.first}, second = {args.second}")
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
    from fastvm.runner import run_blocks, run_blocks_v2
    from fastvm.sfiles import read_any

    state, store = read_any(Path(args.file), args.store)
    out = Path(args.out) if args.out else None
    if store is not None:
        report = run_blocks_v2(state, store, args.blocks, out)  # type: ignore[arg-type]
        store.close()
    else:
        report = run_blocks(state, args.blocks, out, args.s_size)  # type: ignore[arg-type]
    emit_json(report, args.json)
    if json_to_stdout(args):
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


OUTPUT_HELP = "where to write S0 (an existing file is overwritten)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `swapvm state` and `swapvm fast`."""
    state = subparsers.add_parser("state", help="build and inspect essential states (S files)")
    actions = state.add_subparsers(dest="state_command", required=True)
    fixture = actions.add_parser(
        "from-fixture", help="S0 from a BlockchainTests test: genesis, pre-state, blocks"
    )
    fixture.add_argument("file", type=input_file, help="a BlockchainTests JSON file")
    fixture.add_argument("--test", help="the test's name (required if the file holds several)")
    fixture.add_argument("-o", "--output", type=output_file, required=True, help=OUTPUT_HELP)
    add_version_options(fixture)
    fixture.set_defaults(func=_from_fixture)
    describe = actions.add_parser(
        "from-description", help="S0 from a TOML/JSON description of accounts and txs"
    )
    describe.add_argument("file", type=input_file, help="a .toml/.json description (see fastvm/describe.py)")
    describe.add_argument("-o", "--output", type=output_file, required=True, help=OUTPUT_HELP)
    add_version_options(describe)
    describe.set_defaults(func=_from_description)
    genesis = actions.add_parser(
        "from-genesis", help="S0 from a geth-style genesis.json and the blocks of `geth export` (CHAIN.rlp)"
    )
    genesis.add_argument("file", type=input_file, help="a geth-style genesis JSON file")
    genesis.add_argument("--blocks", type=input_file, metavar="CHAIN.rlp",
                         help="concatenated RLP blocks (block 0 is skipped when it is the genesis)")
    add_range_options(genesis)
    genesis.add_argument("-o", "--output", type=output_file, required=True, help=OUTPUT_HELP)
    add_version_options(genesis)
    genesis.set_defaults(func=_from_genesis)
    scale = actions.add_parser(
        "from-workload", help="S0 (version 2) of transfer blocks over a world of any size, in its store"
    )
    scale.add_argument("workload", choices=("transfers", "erc20"), help="ETH or ERC-20 transfers")
    scale.add_argument("--accounts", type=positive, default=1000, help="accounts in the world (default 1000)")
    scale.add_argument("--blocks", type=positive, default=1, help="blocks in the inbox (default 1)")
    scale.add_argument("--txs", type=positive, default=10, help="transactions per block (default 10)")
    scale.add_argument("-o", "--output", type=output_file, required=True, help=OUTPUT_HELP)
    scale.add_argument("--store", type=output_dir, metavar="DIR",
                       help="the folder of the preimage store (default: the output's folder)")
    scale.set_defaults(func=_from_workload, s_version=2)
    append = actions.add_parser("append", help="append the blocks of a CHAIN.rlp file to an S file's inbox")
    append.add_argument("file", type=input_file, help="the S file")
    append.add_argument("chain", type=input_file, metavar="CHAIN.rlp", help="concatenated RLP blocks")
    append.add_argument("--store", type=input_dir, metavar="DIR",
                        help="an S of version 2: the folder of its preimage store (default: the S file's)")
    add_range_options(append)
    append.add_argument("-o", "--output", type=output_file, required=True,
                        help="where to write the new S (an existing file is overwritten)")
    append.set_defaults(func=_append)
    show = actions.add_parser("show", help="print the summary of an S file (and its accounts)")
    show.add_argument("file", type=input_file, help="an S file")
    show.add_argument("--accounts", action="store_true", help="list every account")
    show.add_argument("--storage", action="store_true", help="list every account with its storage slots")
    show.add_argument("--store", type=input_dir, metavar="DIR",
                      help="an S of version 2: the folder of its preimage store (default: the S file's)")
    add_json_option(show, "the summary")
    show.set_defaults(func=_show)
    diff = actions.add_parser("diff", help="every differing field, account and slot of two S files")
    diff.add_argument("first", type=input_file, help="an S file")
    diff.add_argument("second", type=input_file, help="another S file")
    add_json_option(diff, "the differences")
    diff.set_defaults(func=_diff)

    fast = subparsers.add_parser("fast", help="machine A (py-evm, one step = one block)")
    fast_actions = fast.add_subparsers(dest="fast_command", required=True)
    run = fast_actions.add_parser("run", help="run A over the inbox of an S file")
    run.add_argument("file", type=input_file, help="the initial S file")
    run.add_argument("--blocks", type=positive,
                     help="apply at most this many blocks (default: the whole inbox)")
    run.add_argument("--out", type=output_dir,
                     help="directory for the snapshots (<S root hex>.bin) and blocks.json")
    run.add_argument("--store", type=input_dir, metavar="DIR",
                     help="an S of version 2: the folder of its preimage store (default: the S file's)")
    add_json_option(run)
    run.add_argument(
        "--s-size", type=int_range(16), default=DEFAULT_S_SIZE,
                                   help="S window bytes (check 8; default 64 MiB)"
    )
    run.set_defaults(func=_run)

    from fastvm.witness_cli import register as register_witness

    register_witness(fast_actions)
