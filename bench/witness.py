"""Machine A with and without witness recording over the preimage store; witness sizes per block.

Per workload: A's time per block as today (the world in memory, S version 1), and recording (the
world in the sqlite preimage store on disk, every read noted, the block's writes committed), the
re-run of each block on its witness alone (a worker's py-evm cost), A's export on S version 2 (the
same recording, no world in S to rebuild or encode), and the witness's entries and bytes. With
--fixtures, the witness sizes of every block of a BlockchainTests sample as well.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.output import emit_json, goal_verdict
from emulator.cliargs import comma_list, existing_path, positive
from emulator.errors import SwapvmError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench witness`."""
    parser.add_argument("--accounts", type=positive, default=1_000, help="users per workload (default 1000)")
    parser.add_argument("--blocks", type=positive, default=2, help="blocks per workload (default 2)")
    parser.add_argument("--txs", type=positive, default=100, help="transactions per block (default 100)")
    parser.add_argument("--workloads", type=comma_list, default=["transfers", "erc20", "sstore"],
                        help="comma-separated (default transfers,erc20,sstore)")
    parser.add_argument("--fixtures", type=existing_path, metavar="PATH",
                        help="also measure witness sizes on every block of these BlockchainTests")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run for tests)")


def measure_workload(name: str, accounts: int, blocks: int, txs: int) -> dict:
    """A's seconds per block without and with recording, the witness-only re-run, and witness sizes."""
    from fastvm.machine import Machine
    from fastvm.preimages import PreimageStore
    from fastvm.state import Status
    from fastvm.witness import RecordingMachine, replay
    from fastvm.workloads import workload

    start_state = workload(name, accounts, blocks, txs)
    plain = Machine()
    plain.world_for(start_state)   # loading the world is set-up, not a step
    state, plain_s = start_state, 0.0
    while state.pending:
        state, info = plain.step(state)
        plain_s += info.seconds
    with tempfile.TemporaryDirectory() as folder:
        store = PreimageStore(Path(folder) / "preimages.sqlite")
        recorder = RecordingMachine(store)
        recorder.ensure_world(start_state)   # set-up too: the world is built into the store once
        state, record_s, replay_s, sizes = start_state, 0.0, 0.0, []
        while state.pending:
            before = state
            start = time.perf_counter()
            state, info, witness = recorder.export(state)
            record_s += time.perf_counter() - start
            if info.status != Status.ACCEPTED:
                raise SwapvmError(f"workload {name}: block {info.number} rejected ({info.detail})")
            start = time.perf_counter()
            replay(before, witness)
            replay_s += time.perf_counter() - start
            sizes.append(witness)
        store.close()
        store_bytes = (Path(folder) / "preimages.sqlite").stat().st_size
        version_2_s, version_2_bytes = _time_version_2(start_state, Path(folder) / "v2.sqlite")
    return {
        "accounts": accounts, "blocks": blocks, "txs_per_block": txs,
        "a_plain_s_per_block": plain_s / blocks,
        "a_recording_s_per_block": record_s / blocks,
        "recording_ratio": record_s / plain_s,
        "witness_only_s_per_block": replay_s / blocks,
        "a_version_2_s_per_block": version_2_s / blocks,
        "s_v2_image_bytes": version_2_bytes,
        "witness_entries_per_block": sum(w.entries for w in sizes) / blocks,
        "witness_bytes_per_block": sum(w.size for w in sizes) / blocks,
        "store_bytes": store_bytes,
    }


def _time_version_2(start_state: object, path: Path) -> tuple[float, int]:
    """Seconds of A's export on S version 2 over all blocks (the world and inbox stored first, untimed),
    and the largest S image of the chain in bytes (S0 … S_n: it holds no world, spec §6.2)."""
    from fastvm.codec_v2 import encode_v2
    from fastvm.export_v2 import ExporterV2, to_version_2
    from fastvm.preimages import PreimageStore

    store = PreimageStore(path)
    state = to_version_2(start_state, store)  # type: ignore[arg-type]
    exporter = ExporterV2(store)
    seconds, largest = 0.0, len(encode_v2(state))
    while state.pending:
        start = time.perf_counter()
        state, _info, _witness = exporter.export(state)
        seconds += time.perf_counter() - start
        largest = max(largest, len(encode_v2(state)))
    store.close()
    return seconds, largest


def measure_fixtures(path: Path) -> dict:
    """Witness entries and bytes of every block of every test under path (no timing)."""
    from fastvm.fixtures import fixture_files, initial_state, load_file
    from fastvm.preimages import PreimageStore
    from fastvm.witness import RecordingMachine

    entries: list[int] = []
    sizes: list[int] = []
    for file in fixture_files([path]):
        for test in load_file(file):
            state = initial_state(test)
            machine = RecordingMachine(PreimageStore())
            while state.pending:
                state, _info, witness = machine.export(state)
                entries.append(witness.entries)
                sizes.append(witness.size)
    if not entries:
        raise SwapvmError(f"{path} holds no BlockchainTests blocks")
    return {
        "path": str(path), "blocks": len(entries),
        "entries": _spread(entries),
        "bytes": {**_spread(sizes), "total": sum(sizes)},
    }


def _spread(values: list[int]) -> dict:
    """Median, mean and maximum."""
    return {"median": statistics.median(values), "mean": statistics.fmean(values), "max": max(values)}


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; print a table (or JSON) and optionally write the JSON."""
    accounts, blocks, txs = (20, 1, 4) if args.quick else (args.accounts, args.blocks, args.txs)
    command = "swapvm bench witness" + (" --quick" if args.quick else "")
    rows = {name: measure_workload(name, accounts, blocks, txs) for name in args.workloads}
    report: dict = {"command": command, "workloads": rows}
    if args.fixtures:
        report["fixtures"] = measure_fixtures(Path(args.fixtures))
    if emit_json(report, args):
        return goal_verdict([], args)
    print(f"{'workload':<10} {'accounts':>8} {'txs':>5} {'A s/block':>10} {'recording':>10} {'ratio':>6} "
          f"{'S v2':>7} {'witness-only':>12} {'entries':>8} {'bytes':>10} {'S v2 bytes':>10}")
    for name, row in report["workloads"].items():
        cells = (f"{row['a_plain_s_per_block']:>10.3f}", f"{row['a_recording_s_per_block']:>10.3f}",
                 f"{row['recording_ratio']:>6.2f}", f"{row['a_version_2_s_per_block']:>7.3f}",
                 f"{row['witness_only_s_per_block']:>12.3f}",
                 f"{row['witness_entries_per_block']:>8.0f}", f"{row['witness_bytes_per_block']:>10,.0f}",
                 f"{row['s_v2_image_bytes']:>10,}")
        print(f"{name:<10} {row['accounts']:>8} {row['txs_per_block']:>5} " + " ".join(cells))
    if "fixtures" in report:
        fixtures = report["fixtures"]
        entries, size = fixtures["entries"], fixtures["bytes"]
        print(f"\n{fixtures['blocks']} blocks of {fixtures['path']}: entries median {entries['median']}, "
              f"mean {entries['mean']:.1f}, max {entries['max']}; bytes median {size['median']:,}, "
              f"mean {size['mean']:,.0f}, max {size['max']:,}, total {size['total']:,}")
    return goal_verdict([], args)
