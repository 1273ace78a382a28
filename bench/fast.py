"""Machine A: Mgas/s per workload, and the cost of encoding S and of the S root against state size."""

from __future__ import annotations

import argparse
import time

from bench.output import emit_json, goal_verdict
from emulator.cliargs import positive
from emulator.errors import SwapvmError

DEFAULT_SIZES = (100, 1_000, 10_000)
OVERHEAD_GOAL = 0.10  # encoding + S root per block, as a fraction of A's execution time (ERC-20)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench fast`."""
    parser.add_argument("--accounts", type=positive, default=1_000,
                        help="users in each workload (default 1000)")
    parser.add_argument("--erc20-accounts", type=positive, default=10_000,
                        help="users of the ERC-20 goal run")
    parser.add_argument("--blocks", type=positive, default=2, help="blocks per workload (default 2)")
    parser.add_argument("--txs", type=positive, default=100, help="transactions per block (default 100)")
    parser.add_argument("--workloads", default="transfers,erc20,arith,keccak,sstore", help="comma-separated")
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="account counts for encode/root"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run for tests)")


def measure_workload(name: str, accounts: int, blocks: int, txs: int) -> dict:
    """Build a workload, then time A on its blocks: execution, encoding of S', and the S root, per block."""
    from fastvm.machine import Machine
    from fastvm.sroot import RootCache
    from fastvm.state import Status
    from fastvm.workloads import workload

    state = workload(name, accounts, blocks, txs)
    machine = Machine()
    machine.world_for(state)  # loading the world is set-up, not a step
    roots = RootCache()
    roots.root(machine.encoder.encode(state))  # S0's encoding and root are set-up too
    gas = execute = encode = root = 0.0
    while state.pending:
        state, info = machine.step(state)
        if info.status != Status.ACCEPTED:
            raise SwapvmError(f"workload {name}: block {info.number} rejected ({info.detail})")
        start = time.perf_counter()
        roots.root(info.image)
        root += time.perf_counter() - start
        gas += info.gas_used
        encode += info.encode_seconds
        execute += info.seconds - info.encode_seconds
    return {
        "accounts": accounts,
        "blocks": blocks,
        "txs_per_block": txs,
        "gas": int(gas),
        "a_exec_s_per_block": execute / blocks,
        "a_mgas_per_s": gas / 1e6 / execute,
        "encode_s_per_block": encode / blocks,
        "s_root_s_per_block": root / blocks,
        "overhead_ratio": (encode + root) / execute,
    }


def measure_size(accounts: int) -> dict:
    """encode, decode and S root of an ERC-20 state with `accounts` holders (and as many token slots)."""
    from fastvm.codec import decode, encode, image_root
    from fastvm.workloads import workload

    state = workload("erc20", accounts, 0, 1)
    timings = {}
    start = time.perf_counter()
    image = encode(state)
    timings["encode_s"] = time.perf_counter() - start
    start = time.perf_counter()
    image_root(image)
    timings["s_root_s"] = time.perf_counter() - start
    start = time.perf_counter()
    decode(image)
    timings["decode_s"] = time.perf_counter() - start
    return {"accounts": accounts, "storage_slots": accounts, "bytes": len(image), **timings}


def _ints(text: str, option: str) -> list[int]:
    """A comma-separated list of positive integers."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise SwapvmError(f"{option} must be comma-separated integers") from exc
    if not values or min(values) < 1:
        raise SwapvmError(f"{option} needs positive integers")
    return values


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print a table (or JSON) and optionally write the JSON."""
    accounts, blocks, txs = (20, 1, 4) if args.quick else (args.accounts, args.blocks, args.txs)
    erc20_accounts = accounts if args.quick else args.erc20_accounts
    sizes = [10, 100] if args.quick else _ints(args.sizes, "--sizes")
    names = [n.strip() for n in args.workloads.split(",") if n.strip()]
    report = {
        "command": "swapvm bench fast" + (" --quick" if args.quick else ""),
        "workloads": {
            name: measure_workload(name, erc20_accounts if name == "erc20" else accounts, blocks, txs)
            for name in names
        },
        "state_size": [measure_size(n) for n in sizes],
    }
    if "erc20" in report["workloads"]:
        ratio = report["workloads"]["erc20"]["overhead_ratio"]
        report["goal"] = {
            "erc20_overhead_ratio": ratio,
            "limit": OVERHEAD_GOAL,
            "met": ratio <= OVERHEAD_GOAL,
        }
    missed = [] if report.get("goal", {"met": True})["met"] else [f"ERC-20 overhead <= {OVERHEAD_GOAL:.0%}"]
    if emit_json(report, args):
        return goal_verdict(missed, args)
    print(
        f"{'workload':<10} {'accounts':>8} {'Mgas/s':>8} {'A s/block':>10} {'encode s':>9} {'root s':>8}"
        f" {'overhead':>9}"
    )
    for name, row in report["workloads"].items():
        print(
            f"{name:<10} {row['accounts']:>8} {row['a_mgas_per_s']:>8.3f} {row['a_exec_s_per_block']:>10.3f} "
            f"{row['encode_s_per_block']:>9.4f} {row['s_root_s_per_block']:>8.4f}"
            f" {row['overhead_ratio']:>9.2%}"
        )
    print(f"\n{'accounts':>9} {'bytes':>10} {'encode s':>9} {'decode s':>9} {'root s':>8}")
    for row in report["state_size"]:
        print(
            f"{row['accounts']:>9} {row['bytes']:>10} {row['encode_s']:>9.4f} {row['decode_s']:>9.4f} "
            f"{row['s_root_s']:>8.4f}"
        )
    if "goal" in report:
        goal = report["goal"]
        print(
            f"\nERC-20 overhead {goal['erc20_overhead_ratio']:.2%} (goal ≤ {OVERHEAD_GOAL:.0%}): "
            + ("met" if goal["met"] else "NOT met")
        )
    return goal_verdict(missed, args)
