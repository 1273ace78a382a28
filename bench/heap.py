"""The guest's heap per gas on heap-hungry blocks, against the bound derived from the gas schedule.

Every block of bench/heap_blocks.py runs on A and on AB (Unicorn, to the guest's stop); AB's S'
must equal A's. `heap` is the guest's high-water minus that of a plain transfer on a small S
(loading S and one transaction), `bound` the derived bound (bench/heap_bound.py) for the gas the
block spent (at most 5/4 of its gas used, refunds being at most a fifth) and its transaction's gas.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bench.heap_blocks import HeapBlock, baseline_block, heap_block
from bench.heap_bound import KEPT_BYTES_PER_GAS, KEPT_BYTES_PER_GAS_CANCUN, execution_bound, rule_bound
from bench.output import emit_json
from emulator.errors import SwapvmError

if TYPE_CHECKING:
    from swapping.guest_image import GuestImage

# (family, knobs) measured by default: the shapes that hold the most per gas in each family
GRID: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("recursion", (262_144, 32, 262_144)),
    ("recursion", (65_536, 65_536, 65_536)),
    ("recursion", (4_096, 4_096, 4_096)),
    ("creations", (49_152,)),
    ("logs", (0, 0)),
    ("logs", (4_096, 4)),
    ("copies", (65_536,)),
    ("deploys", (24_576,)),
    ("accounts", (0,)),
    ("accounts", (2,)),
    ("journal", (1,)),
    ("journal", (20,)),
    ("access_list", (2_000, 4)),
    ("transient", (8, 1)),
    ("transient", (1, 0)),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench heap`."""
    parser.add_argument("--gas", type=int, default=30_000_000, help="each transaction's gas (default 30 M)")
    parser.add_argument("--quick", action="store_true", help="3 M gas and three blocks (a smoke run)")
    parser.add_argument("--only", help="comma-separated blocks FAMILY:KNOB:KNOB… instead of the grid "
                                       "(e.g. journal:20,logs:1024:0)")


def parse_blocks(text: str) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The blocks of --only: FAMILY:KNOB:… items, each family known and with its number of knobs."""
    from bench.heap_blocks import FAMILIES

    blocks = []
    for item in text.split(","):
        family, *knobs = item.strip().split(":")
        if family not in FAMILIES:
            raise SwapvmError(f"--only: unknown family {family!r} (known: {', '.join(FAMILIES)})")
        arity = len(next(knobs_ for name, knobs_ in GRID if name == family))
        if len(knobs) != arity or not all(k.isdigit() for k in knobs):
            raise SwapvmError(f"--only: {family} takes {arity} non-negative integer knobs, got {item!r}")
        blocks.append((family, tuple(int(k) for k in knobs)))
    return tuple(blocks)


def baseline_heap(image: GuestImage) -> int:
    """The guest's high-water on a plain transfer: what every block needs before execution adds."""
    from fastvm.codec import encode
    from swapping.heap_probe import measure_heap

    return measure_heap(image, encode(baseline_block())).heap_peak


def measure_block(block: HeapBlock, image: GuestImage, base: int) -> dict:
    """A and AB on one block: gas, AB's steps and heap, heap per gas, the bound; raise if S' differ."""
    from fastvm.codec import encode
    from fastvm.live import LIVE_BUDGET
    from fastvm.machine import Machine
    from fastvm.state import Fork, Status
    from swapping.heap_probe import measure_heap

    machine = Machine()
    _after, info = machine.step(block.state)
    run = measure_heap(image, encode(block.state))
    if run.status != "yielded" or run.s_image != info.image or run.live_total != machine.live_total:
        same = "equal to" if run.s_image == info.image else "unlike"
        raise SwapvmError(f"{block.family}{block.knobs}: AB {run.status} {run.cause} (tval {run.tval:#x}) "
                          f"after {run.steps} steps, S' {same} A's, live bytes {run.live_total} "
                          f"(A {machine.live_total})")
    spent = min(block.tx_gas, info.gas_used * 5 // 4)
    heap = max(0, run.heap_peak - base)
    kept_per_gas = KEPT_BYTES_PER_GAS_CANCUN if block.state.fork >= Fork.CANCUN else KEPT_BYTES_PER_GAS
    bound = execution_bound(spent, block.tx_gas, kept_per_gas).total
    return {
        "family": block.family, "knobs": list(block.knobs), "tx_gas": block.tx_gas, "gas_used": info.gas_used,
        "ab_steps": run.steps, "heap_peak": run.heap_peak, "heap": heap,
        "heap_per_gas": heap / max(info.gas_used, 1), "bound": int(bound), "heap_over_bound": heap / bound,
        "within_bound": heap <= bound, "accepted": info.status == Status.ACCEPTED,
        "live_total": machine.live_total, "live_over_budget": machine.live_total / LIVE_BUDGET,
        "rule_bound": int(rule_bound(machine.live_total, block.tx_gas)),
        "within_rule_bound": heap <= rule_bound(machine.live_total, block.tx_gas),
    }


def run(args: argparse.Namespace) -> int:
    """Measure every block of the grid; print a table (or JSON) and the worst heap per gas."""
    from fastvm.live import LIVE_BUDGET
    from swapping.guest_image import guest_image

    image = guest_image()
    quick = (GRID[0], ("logs", (0, 0)), ("journal", (20,)))
    gas, grid = (3_000_000, quick) if args.quick else (args.gas, GRID)
    if args.only:
        grid = parse_blocks(args.only)
    if gas < 100_000:
        raise SwapvmError(f"--gas {gas}: too little for the blocks' loops (at least 100000)")
    base = baseline_heap(image)
    rows = [measure_block(heap_block(family, knobs, gas), image, base) for family, knobs in grid]
    worst = max(rows, key=lambda row: row["heap_per_gas"])
    closest = max(rows, key=lambda row: row["heap_over_bound"])
    fullest = max(rows, key=lambda row: row["live_over_budget"])
    tightest = max(rows, key=lambda row: row["heap"] / row["rule_bound"])
    report = {"baseline_heap": base, "ram_size": image.ram_size, "live_budget": LIVE_BUDGET, "blocks": rows,
              "worst_heap_per_gas": worst["heap_per_gas"],
              "worst": f"{worst['family']}{tuple(worst['knobs'])}",
              "worst_heap_over_bound": closest["heap_over_bound"],
              "closest": f"{closest['family']}{tuple(closest['knobs'])}",
              "most_live_over_budget": fullest["live_over_budget"],
              "fullest": f"{fullest['family']}{tuple(fullest['knobs'])}",
              "worst_heap_over_rule_bound": tightest["heap"] / tightest["rule_bound"],
              "tightest": f"{tightest['family']}{tuple(tightest['knobs'])}",
              "all_within_bound": all(row["within_bound"] for row in rows),
              "all_within_rule_bound": all(row["within_rule_bound"] for row in rows),
              "all_accepted": all(row["accepted"] for row in rows)}
    fine = report["all_within_bound"] and report["all_within_rule_bound"] and report["all_accepted"]
    status = 0 if fine else 1
    if emit_json(report, args):
        return status
    print(f"{'family':<12} {'knobs':<24} {'gas used':>11} {'AB steps':>13} {'heap MiB':>9} {'B/gas':>6} "
          f"{'bound MiB':>9} {'of bound':>8} {'live MiB':>8} {'rule MiB':>8} {'of rule':>7}")
    for row in rows:
        knobs = str(tuple(row["knobs"]))
        print(f"{row['family']:<12} {knobs:<24} {row['gas_used']:>11,} {row['ab_steps']:>13,} "
              f"{row['heap'] / 2**20:>9.2f} {row['heap_per_gas']:>6.3f} {row['bound'] / 2**20:>9.1f} "
              f"{row['heap_over_bound']:>8.1%} {row['live_total'] / 2**20:>8.2f} "
              f"{row['rule_bound'] / 2**20:>8.2f} {row['heap'] / row['rule_bound']:>7.1%}")
    print(f"baseline heap {base:,} B; worst heap per gas {report['worst_heap_per_gas']:.3f} B "
          f"({report['worst']}); closest to the bound {report['worst_heap_over_bound']:.1%} "
          f"({report['closest']})")
    print(f"live bytes: most {report['most_live_over_budget']:.2%} of the {LIVE_BUDGET >> 20} MiB budget "
          f"({report['fullest']}); heap at most {report['worst_heap_over_rule_bound']:.1%} of the rule's "
          f"bound ({report['tightest']}); {'all' if report['all_accepted'] else 'NOT all'} accepted")
    return status
    print(f"{'family':<12} {'knobs':<24} {'gas used':>11} {'AB steps':>13} {'heap MiB':>9} {'B/gas':>6} "
          f"{'bound MiB':>9} {'of bound':>8}")
    for row in rows:
        knobs = str(tuple(row["knobs"]))
        print(f"{row['family']:<12} {knobs:<24} {row['gas_used']:>11,} {row['ab_steps']:>13,} "
              f"{row['heap'] / 2**20:>9.2f} {row['heap_per_gas']:>6.3f} {row['bound'] / 2**20:>9.1f} "
              f"{row['heap_over_bound']:>8.1%}")
    print(f"baseline heap {base:,} B; worst heap per gas {report['worst_heap_per_gas']:.3f} B "
          f"({report['worst']}); closest to the bound {report['worst_heap_over_bound']:.1%} "
          f"({report['closest']})")
    return status
