"""Dispute games on a replayed chain at its measured window: game time, rounds, proof size and gas."""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.output import emit_json
from emulator.cliargs import input_file, log2_window, non_negative, output_dir

DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "fastvm" / "examples" / "hello.toml"


MIN_LOG2_WINDOW = 24   # dispute_s is reported for a window of at least 2^24 steps


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Source, store, the disputed block and how many extra step proofs to sample."""
    parser.add_argument("--source", type=input_file, default=DEFAULT_SOURCE,
                        help="chain to replay and dispute")
    parser.add_argument("--store", type=output_dir, help="snapshot store (default: a temporary folder)")
    parser.add_argument("--block", type=non_negative, default=1,
                        help="the window the lies sit in (default 1)")
    parser.add_argument("--sample", type=non_negative, default=200,
                        help="extra step proofs sampled across that window for size and gas (default 200)")
    parser.add_argument(
        "--log2-window", type=log2_window,
            help=f"a (default: measured by the replay, at least {MIN_LOG2_WINDOW})"
    )


def sample_proofs(chain: Any, block: int, count: int) -> list[Any]:
    """Honest step proofs at `count` positions spread over window `block`: running, idle and the clean."""
    from emulator.proof import prove_step
    from swapping.dispute.trace import MachineTrace

    template = chain.template
    size = 1 << template.params.log2_window
    trace = MachineTrace(template, template.initial_state(chain.s_images[block]))
    halt = trace.halt_step(size)
    running = [halt * k // max(count - 3, 1) for k in range(max(count - 3, 1))]
    positions = sorted({*running, halt - 1, (halt + size) // 2, size - 1})
    return [prove_step(template, trace.state(p)) for p in positions if 0 <= p < size]


def gas_figures(proofs: list[Any], template: Any) -> dict[str, Any]:
    """verify_gas_max / _median from the on-chain verifier when it exists (else the reason it is missing)."""
    missing: dict[str, Any] = {"verify_gas_max": None, "verify_gas_median": None}
    try:
        from swapping.onchain import gas_summary, measure_gas
    except ImportError as exc:
        return {**missing, "verify_gas_note": f"no on-chain verifier: {exc}"}
    try:
        return {**gas_summary(measure_gas(proofs, template)), "verify_gas_proofs": len(proofs)}
    except Exception as exc:  # noqa: BLE001 - their module is optional here; report, do not crash the bench
        return {**missing, "verify_gas_note": f"{type(exc).__name__}: {exc}"}


def game_row(chain: Any, spec: Any) -> tuple[dict[str, Any], Any]:
    """Play one game; its figures and result."""
    from swapping.dispute.game import chain_game

    result = chain_game(chain.template, chain.s_images, spec)
    final = result.transcript.final or {}
    step = final.get("step", {})
    honest = final.get("proofs", {}).get("proposer", {})
    row = {
        "lie": spec.describe(),
        "honest_won": result.honest_won,
        "rounds": result.rounds,
        "seconds": round(result.transcript.seconds, 3),
        "ab_steps": result.transcript.ab_steps,
        "disputed_step": step.get("step"),
        "instruction": step.get("instruction"),
        "proof_bytes": honest.get("bytes"),
    }
    return row, result


def run(args: argparse.Namespace) -> int:
    """Replay, play a level-2 and a level-1 game, sample proofs, and report."""
    from swapping.dispute.chain_source import replayed_chain
    from swapping.dispute.lies import LieSpec

    store = args.store or tempfile.mkdtemp(prefix="swapvm-dispute-")
    chain = replayed_chain(args.source, store, log2_window=args.log2_window)
    if args.log2_window is None and chain.template.params.log2_window < MIN_LOG2_WINDOW:
        # The issue measures a game inside a window of at least 2^24 steps; A's work is reused.
        chain = replayed_chain(args.source, store, log2_window=MIN_LOG2_WINDOW)
    a = chain.template.params.log2_window
    inside, inside_result = game_row(chain, LieSpec("step", args.block, 1 << (a - 1)))
    level1, level1_result = game_row(chain, LieSpec("s-root", args.block))
    proofs = [p for r in (inside_result, level1_result) for p in (r.proofs.get("proposer"),) if p is not None]
    proofs += sample_proofs(chain, args.block, args.sample)
    sizes = [len(p.to_bytes()) for p in proofs]
    report: dict[str, Any] = {
        "command": "swapvm bench dispute",
        "source": str(args.source),
        "log2_window": a,
        "log2_blocks": (chain.blocks - 1).bit_length(),
        "dispute_s": inside["seconds"],
        "dispute_level1_s": level1["seconds"],
        "rounds": inside["rounds"],
        "honest_won": inside["honest_won"] and level1["honest_won"],
        "proof_bytes_max": max(sizes),
        "proof_bytes_median": int(statistics.median(sizes)),
        "proofs": len(proofs),
        **gas_figures(proofs, chain.template),
        "games": [inside, level1],
    }
    lost = 0 if report["honest_won"] else 1   # a game the honest party loses is a negative verdict
    if emit_json(report, args):
        return lost
    print(f"dispute on {Path(args.source).name}: a = {a}, {chain.blocks} blocks, {inside['rounds']} rounds")
    print(f"{'lie':<34} {'won':>4} {'rounds':>6} {'s':>7} {'step':>11} {'bytes':>6}  instruction")
    for row in report["games"]:
        won = "yes" if row["honest_won"] else "NO"
        print(f"{row['lie']:<34} {won:>4} {row['rounds']:>6} {row['seconds']:>7.2f} "
              f"{row['disputed_step']:>11,} {row['proof_bytes']:>6}  {row['instruction']}")
    gas = report["verify_gas_max"]
    sizes_text = f"max {report['proof_bytes_max']} bytes, median {report['proof_bytes_median']}"
    gas_text = (f"verify gas max {gas:,}, median {report['verify_gas_median']:,}" if gas is not None
                else report.get("verify_gas_note", ""))
    print(f"{len(proofs)} proofs: {sizes_text}; {gas_text}")
    return lost
