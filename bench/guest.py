"""The guest on AB: instructions per block and per gas, AB (Unicorn) vs A time, crypto costs, image size.

Per workload (fastvm/workloads.py) and per fixture chain, every block runs side by side in one
process: A's `Machine.step` (`a_s`) and one AB window on the Unicorn engine from Q* over the same
S_t (`ab_s`: machine set-up, the run to the yield, the idle fast-forward, the clean and the roots).
`ab_instructions` are the window's steps to the yield; the S' AB leaves must equal A's (`match`).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.output import emit_json, goal_verdict
from emulator.cliargs import comma_list, input_file, positive
from emulator.errors import SwapvmError
from toolchain.build import ROOT

if TYPE_CHECKING:
    from fastvm.preimages import PreimageStore
    from fastvm.state import EssentialState
    from fastvm.state_v2 import EssentialStateV2
    from swapping.guest_image import GuestImage

FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
DEFAULT_FIXTURES = (
    "ValidBlocks/bcExample/mergeExample.json",
    "ValidBlocks/bcValidBlockTest/SimpleTx.json",
    "ValidBlocks/bcStateTests/logRevert.json",
)
LOG2_WINDOW = 32
ARITH = "arith"  # the arithmetic-heavy (compute-heavy) workload of the goals
# name -> (limit, what it measures); a figure meets its goal when it is <= the limit
GOALS = {
    "arith_instructions_per_gas": (15, "instructions per gas, arithmetic-heavy workload"),
    "keccakf_instructions": (8_000, "one keccak-f[1600]"),
    "ecrecover_instructions": (2_000_000, "one secp256k1 recovery"),
    "arith_ab_s_over_a_s": (1.0, "AB (Unicorn) time / A time per block, compute-heavy workload"),
    "image_bytes": (512 * 1024, "guest image (ROM bytes)"),
    "ecpairing_2_instructions": (60_000_000, "a 2-pair pairing check"),
    "point_evaluation_instructions": (40_000_000, "a valid KZG point evaluation (0x0a)"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench guest`."""
    from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS

    parser.add_argument("--accounts", type=positive, default=100, help="users in each workload (default 100)")
    parser.add_argument("--blocks", type=positive, default=2, help="blocks per workload (default 2)")
    parser.add_argument("--txs", type=positive, default=10, help="transactions per block (default 10)")
    parser.add_argument("--workloads",
                        type=comma_list, default=["transfers", "erc20", "arith", "keccak", "sstore"],
                        help="comma-separated workload names")
    parser.add_argument(
        "--fixtures", type=comma_list, default=list(DEFAULT_FIXTURES),
        help="BlockchainTests files under the shared fixtures, comma-separated (first test of each)",
    )
    parser.add_argument("--image", type=input_file,
                        help="a guest ELF to measure (default: the main guest of this tree)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run for tests)")
    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help="S's format: 1 (the world in S) or 2 (the world behind the oracle: A's witness "
                             f"of each block is AB's oracle); default {DEFAULT_S_VERSION}")
    parser.add_argument(
        "--profile", action="store_true", help="only profile the first block of each --profile-chains chain"
    )
    parser.add_argument(
        "--profile-chains", type=comma_list, default=["mergeExample_Shanghai", "transfers", "arith"],
        help="workload names or fixture test names (default mergeExample_Shanghai,transfers,arith)",
    )


def measure_chain(state: EssentialState, image: GuestImage) -> dict:
    """A and AB side by side on every pending block of S0: gas, instructions, times, match."""
    from fastvm.codec import encode
    from fastvm.machine import Machine
    from swapping.window import run_window

    machine = Machine()
    machine.world_for(state)  # loading the world is set-up, not a step
    blocks = []
    while state.pending:
        s_image = encode(state)
        start = time.perf_counter()
        state, info = machine.step(state)
        a_s = time.perf_counter() - start
        window = run_window(image.elf, image.ram_size, image.s_size, LOG2_WINDOW, s_image)
        if window.status != "yielded":
            raise SwapvmError(f"AB window ended {window.status} {window.cause} at step {window.steps}")
        blocks.append({
            "gas": info.gas_used,
            "status": info.status.name.lower(),
            "ab_instructions": window.steps,
            "ab_s": window.seconds,
            "a_s": a_s,
            "match": window.s_image == info.image,
        })
    return summary(blocks)


def measure_chain_v2(state: EssentialState, image: GuestImage) -> dict:
    """The same on S version 2 (spec §6): A is ExporterV2 over a preimage store holding S0's world, AB
    runs with A's witness of each block as its only oracle; writing the world into the store is set-up."""
    import tempfile

    from fastvm.export_v2 import to_version_2
    from fastvm.preimages import PreimageStore

    with tempfile.TemporaryDirectory(prefix="bench_guest_v2_") as work:
        store = PreimageStore(Path(work) / "preimages.sqlite")
        try:
            return measure_store_chain(to_version_2(state, store), store, image)
        finally:
            store.close()


def measure_scale_chain(name: str, accounts: int, blocks: int, txs: int, image: GuestImage) -> dict:
    """A transfers or erc20 workload on S version 2 over a world built straight into a store
    (fastvm/scale_world.py: `txs * blocks` senders with keys, the rest of the `accounts` fillers), so
    that any size builds without holding the world as accounts."""
    import tempfile

    from fastvm.preimages import PreimageStore
    from fastvm.scale_world import ScaleWorld, scale_chain

    with tempfile.TemporaryDirectory(prefix="bench_guest_v2_") as work:
        store = PreimageStore(Path(work) / "preimages.sqlite")
        try:
            state = scale_chain(ScaleWorld.make(name, accounts, txs, blocks), store)
            return measure_store_chain(state, store, image)
        finally:
            store.close()


def measure_store_chain(state: EssentialStateV2, store: PreimageStore, image: GuestImage) -> dict:
    """Every pending block of an S version 2 whose world and inbox are in `store`, on A and on AB."""
    from fastvm.export_v2 import ExporterV2

    blocks = []
    exporter = ExporterV2(store)
    while state.pending:
        block = check_block_v2(exporter, state, image)
        state, info = block.after, block.info
        blocks.append({
            "gas": info.gas_used if info else 0,
            "status": info.status.name.lower() if info else "idle",
            "ab_instructions": block.window.steps,
            "ab_s": block.window.seconds,
            "a_s": block.a_s,
            "witness_entries": block.witness.entries,
            "witness_bytes": block.witness.size,
            "match": block.match,
        })
    return summary(blocks)


@dataclass
class CheckedBlock:
    """One block of an S version 2: A's S', outcome, witness and time; AB's window on that witness."""

    after: EssentialStateV2
    info: Any
    witness: Any
    a_s: float
    window: Any
    match: bool


def check_block_v2(exporter: Any, state: EssentialStateV2, image: GuestImage) -> CheckedBlock:
    """A exports the next block (S' and witness); one AB window runs it on the witness alone."""
    from emulator.oracle import DictOracle
    from fastvm.codec_v2 import encode_v2
    from swapping.window import run_window

    s_image = encode_v2(state)
    start = time.perf_counter()
    after, info, witness = exporter.export(state)
    a_s = time.perf_counter() - start
    oracle = DictOracle(witness.preimages().values())
    window = run_window(image.elf, image.ram_size, image.s_size, LOG2_WINDOW, s_image, oracle=oracle)
    if window.status != "yielded":
        raise SwapvmError(f"AB window ended {window.status} {window.cause} at step {window.steps}")
    return CheckedBlock(after, info, witness, a_s, window, window.s_image == encode_v2(after))


def summary(blocks: list[dict]) -> dict:
    """A chain's totals and means over its blocks."""
    gas = sum(b["gas"] for b in blocks)
    steps = sum(b["ab_instructions"] for b in blocks)
    ab_s, a_s = sum(b["ab_s"] for b in blocks), sum(b["a_s"] for b in blocks)
    return {
        "blocks": len(blocks),
        "gas": gas,
        "ab_instructions": steps,
        "instructions_per_gas": steps / gas if gas else None,
        "ab_s": ab_s / len(blocks),
        "a_s": a_s / len(blocks),
        "ab_s_over_a_s": ab_s / a_s,
        "match": all(b["match"] for b in blocks),
        "per_block": blocks,
    }


def fixture_chains(files: list[str]) -> dict[str, EssentialState]:
    """S0 of the first test of each fixture file, by test name."""
    from fastvm.fixtures import initial_state, load_file

    chains = {}
    for rel in files:
        path = FIXTURES / rel
        if not path.is_file():
            raise SwapvmError(f"fixture file not found: {path}")
        tests = load_file(path)
        if not tests:
            raise SwapvmError(f"{path} holds no BlockchainTests test")
        test = tests[0]
        chains[test.name] = initial_state(test)
    return chains


def given_image(path: Path) -> GuestImage:
    """A guest ELF built elsewhere (e.g. from another checkout), with the main guest's region sizes."""
    from swapping.guest_image import GuestImage
    from toolchain.build import bundled

    spec = bundled()["guest"]
    return GuestImage(path.read_bytes(), spec.ram_size, spec.s_size)


def crypto_figures() -> dict:
    """keccak-f, recovery and per-precompile AB instructions (Unicorn), via bench.guest_probe."""
    from bench.guest_probe import (
        ABDriver,
        core_ab_image,
        keccakf_instructions,
        precompile_costs,
        recovery_instructions,
    )

    return {
        "keccakf_instructions": keccakf_instructions(ABDriver(core_ab_image(), backend="unicorn")),
        "ecrecover_instructions": recovery_instructions("unicorn"),
        "precompile_instructions": precompile_costs("unicorn"),
    }


def goals(report: dict) -> dict:
    """Each goal's figure, limit and verdict."""
    arith = report["workloads"].get(ARITH)
    values = {
        "arith_instructions_per_gas": arith["instructions_per_gas"] if arith else None,
        "keccakf_instructions": report["keccakf_instructions"],
        "ecrecover_instructions": report["ecrecover_instructions"],
        "arith_ab_s_over_a_s": arith["ab_s_over_a_s"] if arith else None,
        "image_bytes": report["image_bytes"],
        "ecpairing_2_instructions": report["precompile_instructions"]["ecpairing_2"],
        "point_evaluation_instructions": report["precompile_instructions"]["point_evaluation"],
    }
    return {
        name: {"value": values[name], "limit": limit, "what": what,
               "met": values[name] is not None and values[name] <= limit}
        for name, (limit, what) in GOALS.items()
    }


def collect(args: argparse.Namespace) -> dict:
    """Every figure of the benchmark, as one JSON-ready dict."""
    from emulator.image import load_image
    from emulator.layout import ROM_BASE
    from swapping.guest_image import guest_image

    accounts, blocks, txs = (4, 1, 2) if args.quick else (args.accounts, args.blocks, args.txs)
    files = args.fixtures[: 1 if args.quick else None]
    fixtures = fixture_chains(files)
    image = guest_image() if not args.image else given_image(Path(args.image))
    measure = measure_chain_v2 if args.s_version == 2 else measure_chain
    measure(next(iter(fixtures.values())), image)  # warm-up: the machine template is cached
    report = {
        "command": "swapvm bench guest" + (" --quick" if args.quick else "")
        + (f" --image {args.image}" if args.image else "")
        + (" --s-version 2" if args.s_version == 2 else ""),
        "s_version": args.s_version,
        "image_sha256": image.sha256,
        "image_bytes": load_image(image.elf).rom_end - ROM_BASE,
        "elf_bytes": len(image.elf),
        "sizes": {"accounts": accounts, "blocks": blocks, "txs_per_block": txs},
        "workloads": {name: measure_workload(name, accounts, blocks, txs, image, args.s_version)
                      for name in args.workloads},
        "fixtures": {name: measure(state, image) for name, state in fixtures.items()},
        **crypto_figures(),
    }
    report["goals"] = goals(report)
    return report


def measure_workload(name: str, accounts: int, blocks: int, txs: int, image: GuestImage,
                     s_version: int) -> dict:
    """One workload on A and AB; on version 2 the transfers and erc20 worlds are built straight into a
    store, so that they scale to any number of accounts (spec §6)."""
    from fastvm.scale_world import SCALE_WORKLOADS
    from fastvm.workloads import workload

    if s_version == 2 and name in SCALE_WORKLOADS:
        return measure_scale_chain(name, accounts, blocks, txs, image)
    measure = measure_chain_v2 if s_version == 2 else measure_chain
    return measure(workload(name, accounts, blocks, txs), image)


def print_table(report: dict) -> None:
    """The human-readable form of the report."""
    print(f"{'chain':<26} {'blocks':>6} {'gas':>10} {'AB instr':>13} {'instr/gas':>9} {'AB s/blk':>9}"
          f" {'A s/blk':>8} {'AB/A':>6} {'match':>5}")
    rows = [*report["workloads"].items(), *report["fixtures"].items()]
    for name, r in rows:
        ipg = f"{r['instructions_per_gas']:.1f}" if r["instructions_per_gas"] is not None else "-"
        match = "yes" if r["match"] else "NO"
        print(f"{name:<26} {r['blocks']:>6} {r['gas']:>10,} {r['ab_instructions']:>13,} {ipg:>9}"
              f" {r['ab_s']:>9.3f} {r['a_s']:>8.3f} {r['ab_s_over_a_s']:>6.2f} {match:>5}")
    print(f"\nkeccak-f[1600]: {report['keccakf_instructions']:,.0f} instructions;"
          f" secp256k1 recovery: {report['ecrecover_instructions']:,}")
    print("precompile_instructions: " + ", ".join(
        f"{k} {v:,}" for k, v in report["precompile_instructions"].items()))
    print(f"image: {report['image_bytes']:,} ROM bytes ({report['elf_bytes']:,} ELF bytes)\n")
    for g in report["goals"].values():
        value = "-" if g["value"] is None else f"{g['value']:,.2f}"
        print(f"{g['what']}: {value} (goal <= {g['limit']:,}): {'met' if g['met'] else 'NOT met'}")


def collect_profiles(args: argparse.Namespace) -> dict:
    """Exact per-function instruction counts of the first block of each profiled chain."""
    from bench.guest_profile import profile_window
    from fastvm.codec import encode
    from fastvm.workloads import WORKLOADS, workload
    from swapping.guest_image import guest_image

    accounts, txs = (4, 2) if args.quick else (args.accounts, args.txs)
    image = guest_image() if not args.image else given_image(Path(args.image))
    fixtures = fixture_chains(args.fixtures)
    profiles = {}
    for name in args.profile_chains:
        if name in WORKLOADS:
            state = workload(name, accounts, 1, txs)
        elif name in fixtures:
            state = fixtures[name]
        else:
            raise SwapvmError(f"--profile-chains: {name!r} is neither a workload nor a fixture test")
        profiles[name] = profile_window(image, encode(state))
    return {"command": "swapvm bench guest --profile", "image_sha256": image.sha256,
            "sizes": {"accounts": accounts, "txs_per_block": txs}, "profile": profiles}


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print a table (or JSON) and optionally write the JSON."""
    report = collect_profiles(args) if args.profile else collect(args)
    missed = [g["what"] for g in report.get("goals", {}).values() if not g["met"]]
    if emit_json(report, args):
        return goal_verdict(missed, args)
    if args.profile:
        from bench.guest_profile import print_profile

        for name, prof in report["profile"].items():
            print_profile(name, prof)
    else:
        print_table(report)
    return goal_verdict(missed, args)
