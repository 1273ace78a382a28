"""`swapvm bench machine` of two commits side by side in one run: alternate rounds, report medians.

    .venv/bin/python scripts/bench_side_by_side.py [--base REV] [--rounds 3] [-- bench options]

The base revision is checked out into a temporary `git worktree` (removed afterwards) and both
trees run with this venv's Python, each with its own tree first on PYTHONPATH. Rounds alternate
base / head so that load from other work falls on both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("reference_steps_per_s", "unicorn_window_steps_per_s", "unicorn_raw_steps_per_s")


def bench(tree: Path, options: list[str]) -> dict:
    """One `swapvm bench machine --json` in tree."""
    entry = "from swapping.cli import main; main()"
    command = [sys.executable, "-c", entry, "bench", "machine", "--json", "-", *options]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> int:
    """Run the rounds and print per-round figures and the medians as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the revision to compare against (default HEAD~1)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("options", nargs="*", help="options passed to swapvm bench machine (after --)")
    args = parser.parse_args()
    rev = ["git", "rev-parse", args.base]
    base = subprocess.run(rev, cwd=ROOT, capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory(prefix="swapvm-bench-base-") as tmp:
        tree = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), base.stdout.strip()],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"base": [], "head": []}
            for _ in range(args.rounds):
                runs["base"].append(bench(tree, args.options))
                runs["head"].append(bench(ROOT, args.options))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    report: dict = {"base": base.stdout.strip(), "rounds": args.rounds}
    for name, results in runs.items():
        medians = {f: statistics.median(r[f] for r in results) for f in FIGURES}
        ratios = [r["unicorn_window_steps_per_s"] / r["unicorn_raw_steps_per_s"] for r in results]
        report[name] = {
            "per_round": [{f: round(r[f]) for f in FIGURES} for r in results],
            "median": {f: round(v) for f, v in medians.items()},
            "window_over_raw_median": round(statistics.median(ratios), 4),
        }
    ref = [report[n]["median"]["reference_steps_per_s"] for n in ("base", "head")]
    report["fast_head_over_base"] = round(ref[1] / ref[0], 4)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
