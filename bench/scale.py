"""AB's cost per block against the size of the world: one block at 10^3 to 10^6 accounts on S version 2.

For each workload and size, a child process writes the world into a fresh preimage store
(fastvm/scale_world.py: `world_s`, its peak memory `peak_rss_mib`, the store's bytes), A exports the
block's S' and witness (`a_s`), and one AB window on the Unicorn engine runs the block with the
witness alone as its oracle (`ab_instructions`: steps to the yield; `match`: AB's S' = A's). The
issue-13 goals compare the largest size with the smallest and bound instructions per gas on transfers.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from bench.output import emit_json, goal_verdict
from emulator.cliargs import comma_list, positive
from emulator.errors import SwapvmError

DEFAULT_SIZES = "1000,10000,100000,1000000"
LOG2_WINDOW = 36
FLAT_GOAL = 1.5          # ab_instructions at the largest size / at the smallest
IPG_GOALS = {100_000: 40, 1_000_000: 50}   # transfers: instructions per gas at these sizes


def sizes(text: str) -> list[int]:
    """A comma-separated list of account counts (each ≥ 20)."""
    try:
        values = [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of account counts: {text!r}") from None
    if not values or min(values) < 20:
        raise argparse.ArgumentTypeError("each size must be at least 20 accounts")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench scale`."""
    parser.add_argument("--accounts", type=sizes, default=sizes(DEFAULT_SIZES),
                        help=f"world sizes, comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--workloads", type=comma_list, default=["transfers", "erc20"],
                        help="transfers and/or erc20 (default both)")
    parser.add_argument("--txs", type=positive, default=10, help="transactions in the block (default 10)")
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 1000 (a smoke run for tests)")


def measure(workload: str, accounts: int, txs: int) -> dict:
    """Build the world, run A and AB on its block; every figure of one row (run in a child process)."""
    from bench.guest import check_block_v2
    from fastvm.codec_v2 import encode_v2
    from fastvm.export_v2 import ExporterV2
    from fastvm.preimages import PreimageStore
    from fastvm.scale_world import ScaleWorld, scale_chain
    from swapping.guest_image import guest_image

    image = guest_image()
    with tempfile.TemporaryDirectory(prefix="swapvm-scale-") as tmp:
        path = Path(tmp) / "preimages.sqlite"
        store = PreimageStore(path)
        start = time.perf_counter()
        state = scale_chain(ScaleWorld.make(workload, accounts, txs), store)
        world_s = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        try:
            block = check_block_v2(ExporterV2(store), state, image)
        except SwapvmError as exc:
            raise SwapvmError(f"scale {workload} at {accounts}: {exc}") from None
        store_bytes = sum(p.stat().st_size for p in Path(tmp).iterdir())
        store.close()
    info = block.info
    if info is None or info.status.name != "ACCEPTED":
        raise SwapvmError(f"scale {workload} at {accounts}: A did not accept the block")
    return {
        "workload": workload,
        "accounts": accounts,
        "gas": info.gas_used,
        "world_s": world_s,
        "peak_rss_mib": peak,
        "store_bytes": store_bytes,
        "s_image_bytes": len(encode_v2(state)),
        "a_s": block.a_s,
        "witness_entries": block.witness.entries,
        "witness_bytes": block.witness.size,
        "ab_instructions": block.window.steps,
        "instructions_per_gas": block.window.steps / info.gas_used,
        "ab_s": block.window.seconds,
        "match": block.match,
    }


def _child(queue: multiprocessing.Queue, workload: str, accounts: int, txs: int) -> None:
    """measure() in its own process, so that its peak memory is its own."""
    try:
        queue.put(("ok", measure(workload, accounts, txs)))
    except SwapvmError as exc:
        queue.put(("error", str(exc)))


def measure_isolated(workload: str, accounts: int, txs: int) -> dict:
    """One row measured in a fresh process."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue, workload, accounts, txs))
    child.start()
    kind, value = queue.get()
    child.join()
    if kind != "ok":
        raise SwapvmError(value)
    return value


def goals(rows: list[dict]) -> dict:
    """Issue 13's scale goals, each met or not (absent when its sizes were not measured)."""
    out = {}
    for workload in sorted({r["workload"] for r in rows}):
        mine = sorted((r for r in rows if r["workload"] == workload), key=lambda r: r["accounts"])
        if len(mine) > 1:
            ratio = mine[-1]["ab_instructions"] / mine[0]["ab_instructions"]
            out[f"{workload}_flat"] = {
                "what": f"{workload}: AB instructions at {mine[-1]['accounts']:,}"
                        f" / at {mine[0]['accounts']:,} accounts",
                "value": ratio, "limit": FLAT_GOAL, "met": ratio <= FLAT_GOAL}
    for row in rows:
        limit = IPG_GOALS.get(row["accounts"])
        if row["workload"] == "transfers" and limit is not None:
            out[f"transfers_ipg_{row['accounts']}"] = {
                "what": f"transfers: instructions per gas at {row['accounts']:,} accounts",
                "value": row["instructions_per_gas"], "limit": limit,
                "met": row["instructions_per_gas"] <= limit}
    return out


def print_table(report: dict) -> None:
    """The human-readable form of the report."""
    print(f"{'workload':<10} {'accounts':>10} {'gas':>8} {'world s':>8} {'peak MiB':>9} {'S bytes':>8}"
          f" {'witness B':>10} {'AB instr':>12} {'instr/gas':>9} {'A s':>6} {'AB s':>6} {'match':>5}")
    for r in report["rows"]:
        print(f"{r['workload']:<10} {r['accounts']:>10,} {r['gas']:>8,} {r['world_s']:>8.1f}"
              f" {r['peak_rss_mib']:>9.0f} {r['s_image_bytes']:>8,} {r['witness_bytes']:>10,}"
              f" {r['ab_instructions']:>12,} {r['instructions_per_gas']:>9.1f} {r['a_s']:>6.2f}"
              f" {r['ab_s']:>6.2f} {'yes' if r['match'] else 'NO':>5}")
    for g in report["goals"].values():
        print(f"{g['what']}: {g['value']:,.2f} (goal <= {g['limit']}): {'met' if g['met'] else 'NOT met'}")


def run(args: argparse.Namespace) -> int:
    """Measure every workload at every size; print a table (or JSON)."""
    accounts = [100, 1000] if args.quick else args.accounts
    rows = [measure_isolated(w, n, args.txs) for w in args.workloads for n in accounts]
    report = {"command": "swapvm bench scale" + (" --quick" if args.quick else ""),
              "txs": args.txs, "rows": rows, "goals": goals(rows)}
    missed = [g["what"] for g in report["goals"].values() if not g["met"]]
    missed += [f"{r['workload']} at {r['accounts']:,}: AB's S' differs from A's"
               for r in rows if not r["match"]]
    if not emit_json(report, args):
        print_table(report)
    return goal_verdict(missed, args)
