"""Live bytes of public fixture blocks on A (spec §4.9, reason 9): the most a block counts, and the budget.

Every block of the chosen tests runs on A with no budget, and the count of live bytes it reaches is
recorded: the margin of the budget over the public blocks. `--top N` keeps the N tests whose blocks
use the most gas (read from their headers), below `--max-gas` (the compute giants hold nothing).
`--s-version 2` (the default) counts on S version 2, whose count adds the lookup paths and code reads.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.output import emit_json
from emulator.cliargs import non_negative, positive

UNLIMITED = 1 << 62
MEASURED_FORKS = ("SHANGHAI", "CANCUN")  # the forks A and the guest run (others are refused up front)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `swapvm bench live`."""
    parser.add_argument("sources", nargs="+", help="BlockchainTests files or directories")
    parser.add_argument("--top", type=non_negative, default=0,
                        help="only the N tests using the most gas (default: all)")
    parser.add_argument("--max-gas", type=positive, default=1 << 62,
                        help="skip tests whose blocks use more gas")
    from fastvm.sfiles import DEFAULT_S_VERSION, S_VERSIONS

    parser.add_argument("--s-version", type=int, choices=S_VERSIONS, default=DEFAULT_S_VERSION,
                        help=f"the S version whose count is measured (default {DEFAULT_S_VERSION})")


def test_gas(body: dict) -> int:
    """The most gas a block of a fixture test uses, from its headers (0 when they are not given)."""
    used = [int(b.get("blockHeader", {}).get("gasUsed", "0x0"), 16) for b in body.get("blocks", [])]
    return max(used, default=0)


def chosen_tests(sources: list[str], top: int, max_gas: int) -> list[tuple[int, str, str, dict]]:
    """(gas, file, name, body) of the tests to run: all, or the `top` using the most gas below max_gas."""
    from fastvm.fixtures import fixture_files

    tests = []
    for path in fixture_files([Path(s) for s in sources]):
        for name, body in json.loads(path.read_text()).items():
            gas = test_gas(body)
            if gas <= max_gas:
                tests.append((gas, str(path), name, body))
    tests.sort(key=lambda item: -item[0])
    return tests[:top] if top else tests


def measure_test(name: str, body: dict, s_version: int) -> dict:
    """The most live bytes of any block of one test on A, and its gas."""
    from fastvm.fixtures import initial_state, parse_test
    from fastvm.machine import Machine

    test = parse_test(name, body)
    if test.fork.name not in MEASURED_FORKS:
        return {"test": name, "skipped": f"fork {test.fork.name}"}
    if s_version == 2:
        return measure_test_v2(test)
    state, machine, most, gas = initial_state(test), Machine(live_budget=UNLIMITED), 0, 0
    while state.pending:
        state, info = machine.step(state)
        if info.status.name == "ACCEPTED":
            most, gas = max(most, machine.live_total), max(gas, info.gas_used)
    return {"test": name, "gas_used": gas, "live_total": most}


def measure_test_v2(test: object) -> dict:
    """measure_test on S version 2: A's export over a store of the test's own."""
    from fastvm.export_v2 import ExporterV2
    from fastvm.fixtures import initial_state_v2
    from fastvm.preimages import PreimageStore

    store = PreimageStore()
    state = initial_state_v2(test, store)  # type: ignore[arg-type]
    exporter, most, gas = ExporterV2(store, live_budget=UNLIMITED), 0, 0
    while state.cursor < state.inbox.length:
        state, info, _witness = exporter.export(state)
        if info is not None and info.status.name == "ACCEPTED":
            most, gas = max(most, exporter.machine.live_total), max(gas, info.gas_used)
    return {"test": test.name, "gas_used": gas, "live_total": most}  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    """Run the chosen tests on A; print the tests with the most live bytes and the margin."""
    from fastvm.live import LIVE_BUDGET

    start = time.perf_counter()
    chosen = chosen_tests(args.sources, args.top, args.max_gas)
    rows = [measure_test(name, body, args.s_version) for _gas, _path, name, body in chosen]
    rows = [row for row in rows if "skipped" not in row]
    rows.sort(key=lambda row: -row["live_total"])
    most = rows[0]["live_total"] if rows else 0
    report = {"tests": len(rows), "s_version": args.s_version, "live_budget": LIVE_BUDGET,
              "most_live_total": most,
              "most_over_budget": most / LIVE_BUDGET, "seconds": time.perf_counter() - start,
              "top": rows[:20]}
    if emit_json(report, args):
        return 0
    print(f"{'test':<60} {'gas used':>13} {'live bytes':>12} {'of budget':>9}")
    for row in rows[:20]:
        print(f"{row['test'][:60]:<60} {row['gas_used']:>13,} {row['live_total']:>12,} "
              f"{row['live_total'] / LIVE_BUDGET:>9.3%}")
    print(f"{len(rows)} tests in {report['seconds']:.0f} s; the most live bytes of a block: {most:,} "
          f"({report['most_over_budget']:.3%} of the {LIVE_BUDGET >> 20} MiB budget)")
    return 0
