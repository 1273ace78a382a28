"""Replay throughput: AB double-checking with 1 and 2 workers, side by side in one run.

`blocks_per_s` and `mgas_per_s` count the AB phase (the double-check) of a fresh store;
`scaling_2_workers` is the 1-worker wall time over the 2-worker one, both in a process pool (the
1-worker run too, so that the ratio compares pool against pool: a run inline in the parent has no
process start-up, pickling or result transfer and flattered the ratio), and
`orchestration_overhead` = 1 - (sum of AB window times) / (wall time x workers). With `--s-version 2`
the chain is S version 2: each task carries S_t and its block's witness instead of a world in S.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.output import emit_json, goal_verdict
from emulator.cliargs import positive
from emulator.errors import SwapvmError

SCALING_GOAL = 1.8
OVERHEAD_GOAL = 0.1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench replay`."""
    parser.add_argument("--workload", default="transfers", help="a fastvm workload (default transfers)")
    parser.add_argument("--blocks", type=positive, default=8, help="blocks in the chain (default 8)")
    parser.add_argument("--txs", type=positive, default=20, help="transactions per block (default 20)")
    parser.add_argument("--accounts", type=positive, default=200,
                        help="accounts in the workload (default 200)")
    from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS

    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help=f"the S format of the chain (default {DEFAULT_S_VERSION}; 2: witnesses travel "
                             "with the tasks)")
    parser.add_argument("--repeat", type=positive, default=3,
                        help="runs of each worker count, alternated; the median wall time counts (default 3)")
    parser.add_argument("--quick", action="store_true", help="a tiny chain (a smoke run for tests)")


def measure(chain: list, image: object, workers: int, s_version: int = 1) -> dict:
    """Replay the chain into a fresh store with `workers` pool workers (a pool even for one); AB figures."""
    from fastvm.sfiles import open_preimages, to_v2
    from fastvm.sroot import RootCache
    from swapping.replay import replay
    from swapping.store import Store

    with tempfile.TemporaryDirectory(prefix="swapvm-bench-") as tmp:
        preimages = open_preimages(Path(tmp)) if s_version == 2 else None
        if preimages is not None:
            chain = [(name, to_v2(state, preimages)) for name, state in chain]
        report = replay(chain, Store(Path(tmp), RootCache().root), image, workers=workers,
                        preimages=preimages, always_pool=True)
    if not report.ok:
        bad = next(r for r in report.blocks if r.verdict != "match")
        raise SwapvmError(f"bench replay: block {bad.index} did not match on AB: {bad.verdict} {bad.detail}")
    wall = report.ab_wall_seconds
    gas = sum(r.gas_used for r in report.blocks)
    busy = sum(r.ab_seconds for r in report.blocks)
    return {
        "workers": workers,
        "blocks": len(report.blocks),
        "ab_wall_s": wall,
        "blocks_per_s": len(report.blocks) / wall,
        "mgas_per_s": gas / 1e6 / wall,
        "ab_busy_s": busy,
        "orchestration_overhead": 1 - busy / (wall * workers),
        "log2_window": report.log2_window,
    }


def median_runs(chain: list, image: object, s_version: int, repeat: int) -> tuple[dict, dict]:
    """1 and 2 workers, alternated `repeat` times; for each, the run of median wall time.

    Alternating spreads the machine's drifts over both counts; the median drops a run that a
    neighbour's burst slowed, so that the ratio reads the code rather than one moment of the machine.
    """
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(repeat):
        for workers in (1, 2):
            runs[workers].append(measure(chain, image, workers, s_version))
    picked = []
    for workers in (1, 2):
        ordered = sorted(runs[workers], key=lambda row: row["ab_wall_s"])
        row = dict(ordered[len(ordered) // 2])
        row["wall_s_all"] = [r["ab_wall_s"] for r in runs[workers]]
        picked.append(row)
    return picked[0], picked[1]


def run(args: argparse.Namespace) -> int:
    """Build the workload chain, replay it with 1 and 2 workers, print a table or JSON."""
    from fastvm.workloads import workload
    from swapping.guest_image import guest_image

    blocks, txs, accounts = (2, 2, 10) if args.quick else (args.blocks, args.txs, args.accounts)
    chain = [(args.workload, workload(args.workload, accounts, blocks, txs))]
    image = guest_image()
    repeat = 1 if args.quick else args.repeat
    one, two = median_runs(chain, image, args.s_version, repeat)
    report = {
        "command": "swapvm bench replay" + (" --quick" if args.quick else "")
        + (" --s-version 2" if args.s_version == 2 else ""),
        "workload": {"name": args.workload, "blocks": blocks, "txs_per_block": txs, "accounts": accounts},
        "s_version": args.s_version,
        "one_worker": "a process pool of one worker (pool against pool)",
        "repeat": repeat,
        "runs": [one, two],
        "blocks_per_s": {"1": one["blocks_per_s"], "2": two["blocks_per_s"]},
        "mgas_per_s": {"1": one["mgas_per_s"], "2": two["mgas_per_s"]},
        "scaling_2_workers": one["ab_wall_s"] / two["ab_wall_s"],
        "orchestration_overhead": two["orchestration_overhead"],
        "goals": {"scaling_2_workers": SCALING_GOAL, "orchestration_overhead": OVERHEAD_GOAL},
    }
    missed = [name for name, met in (
        (f"scaling with 2 workers >= {SCALING_GOAL}", report["scaling_2_workers"] >= SCALING_GOAL),
        (f"orchestration overhead <= {OVERHEAD_GOAL:.0%}", report["orchestration_overhead"] <= OVERHEAD_GOAL),
    ) if not met]
    if emit_json(report, args):
        return goal_verdict(missed, args)
    print(f"{'workers':>7} {'blocks':>6} {'AB wall s':>9} {'blocks/s':>9} {'Mgas/s':>8} {'overhead':>9}")
    for row in report["runs"]:
        print(
            f"{row['workers']:>7} {row['blocks']:>6} {row['ab_wall_s']:>9.2f} {row['blocks_per_s']:>9.2f} "
            f"{row['mgas_per_s']:>8.3f} {row['orchestration_overhead']:>9.1%}"
        )
    print(
        f"\nscaling with 2 workers: {report['scaling_2_workers']:.2f}x (goal >= {SCALING_GOAL}); "
        f"orchestration overhead {report['orchestration_overhead']:.1%} (goal <= {OVERHEAD_GOAL:.0%})"
    )
    return goal_verdict(missed, args)
