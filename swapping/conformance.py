"""`swapvm conformance evm`: EVM BlockchainTests through machine A (and later AB), per test, in parallel.

Each fixture file is one job of a process pool; a job is the pure function `run_file`, so a
distributed engine can run the same jobs unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing import Pool
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.cliargs import (
    STDOUT,
    existing_path,
    jobs,
    json_target,
    log2_window,
    positive_seconds,
    scheduler_address,
)
from emulator.errors import SwapvmError
from fastvm.sfiles import DEFAULT_S_VERSION  # the one switch of every command (spec §5.4)
from swapping.executor import exit_with_parent
from swapping.progress import ProgressLine

if TYPE_CHECKING:
    from fastvm.fixtures import FixtureTest

MACHINES = ("a", "ab")
S_VERSIONS = (1, 2)


def parse_machines(text: str) -> tuple[str, ...]:
    """The machines to run, from a comma-separated list of known names, in canonical order.

    a: A against the fixtures; a,ab: also every transition on AB, byte-equal to A's; ab: AB alone
    against the fixtures (for tests whose A run takes hours)."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in MACHINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {', '.join(MACHINES)} (comma-separated)")
    return tuple(name for name in MACHINES if name in names)


def s_version_arg(text: str) -> int:
    """An S version the command runs on: 1 or 2."""
    if text.strip() not in ("1", "2"):
        raise argparse.ArgumentTypeError(f"{text!r}: S version 1 or 2")
    return int(text)


def failed(name: str, path: str, reason: str, *, not_run: bool, blocks: int = 0,
           seconds: float = 0.0) -> dict:
    """A failed verdict made here, not by the machine: a test that cannot run, or one that was stopped."""
    return {"name": name, "path": path, "ok": False, "reason": reason, "expected_failure": False,
            "not_run": not_run, "blocks": blocks, "seconds": seconds, "reason_mismatches": []}


def not_run(name: str, path: str, reason: str) -> dict:
    """The verdict on a test that cannot run (unsupported network, unreadable file), with its reason."""
    return failed(name, path, f"cannot run: {reason}", not_run=True)


def test_runner(machines: tuple[str, ...], log2_window: int | None,
                s_version: int = DEFAULT_S_VERSION) -> Callable[[FixtureTest], dict]:
    """The function that runs one test on the given machines and S version, returning its JSON result."""
    if s_version == 2:
        return _test_runner_v2(machines, log2_window)
    from fastvm.conformance import run_test

    if "ab" not in machines:
        return lambda test: run_test(test).to_json()
    from swapping.ab_check import CHECK_LOG2_WINDOW, ABStepper, ab_transition_check
    from swapping.guest_image import guest_image

    window = log2_window or CHECK_LOG2_WINDOW
    if "a" not in machines:
        stepper = ABStepper(guest_image(), window)
        return lambda test: run_test(test, machine=stepper, label="AB").to_json()
    checks = (ab_transition_check(guest_image(), window),)   # every block's S' on AB, byte-equal to A's
    return lambda test: run_test(test, checks).to_json()


def _test_runner_v2(machines: tuple[str, ...], log2_window: int | None) -> Callable[[FixtureTest], dict]:
    """test_runner on S version 2: each test's pre-state world and inbox in a store of its own.

    a: A against the fixture, its final world read back from the store account by account; ab: AB
    with the store as its oracle (never A's run), its final state root against the fixture's; a,ab:
    every block on AB with A's witness of that block as its whole oracle, S' byte-equal to A's."""
    from fastvm.conformance_v2 import run_test_v2

    if "ab" not in machines:
        return lambda test: run_test_v2(test).to_json()
    from swapping.ab_check import CHECK_LOG2_WINDOW, ABStepperV2, ab_transition_check
    from swapping.guest_image import guest_image

    window = log2_window or CHECK_LOG2_WINDOW
    image = guest_image()
    if "a" not in machines:
        return lambda test: run_test_v2(test, machine=lambda store: ABStepperV2(image, store, window),
                                        label="AB").to_json()
    checks = (ab_transition_check(image, window),)
    return lambda test: run_test_v2(test, checks).to_json()


def refusal(test: FixtureTest, machines: tuple[str, ...], s_version: int) -> str | None:
    """Why a test cannot run here (a fork schedule on S version 1, a fork the guest lacks), or None."""
    from fastvm.fixtures import version_1_refusal
    from swapping.guest_forks import unsupported_fork

    version_1 = version_1_refusal(test) if s_version == 1 else None
    if version_1:
        return f"{version_1}: --s-version 2 runs it"
    if "ab" in machines:
        return next(filter(None, (unsupported_fork(fork) for fork, _time in test.schedule)), None)
    return None


def run_file(
    path: str, machines: tuple[str, ...] = ("a",), log2_window: int | None = None,
    timeout: float | None = None, s_version: int = DEFAULT_S_VERSION,
) -> list[dict]:
    """Every test of one fixture file on the given machines, as JSON-ready results (a pool job).

    A file or test that cannot be read is one verdict with its reason; with a timeout each test runs
    in its own process, killed at the deadline (a timeout verdict)."""
    from fastvm.fixtures import parse_test, read_tests
    from swapping.timebox import ChildDied, Overtime, run_timeboxed

    try:
        bodies = read_tests(Path(path))
    except SwapvmError as exc:
        return [not_run(Path(path).name, path, str(exc))]
    run = test_runner(machines, log2_window, s_version)
    results = []
    for name, body in bodies.items():
        try:
            test = parse_test(name, body, path)
        except SwapvmError as exc:
            results.append(not_run(name, path, str(exc)))
            continue
        unsupported = refusal(test, machines, s_version)
        if unsupported:
            results.append(not_run(name, path, unsupported))
            continue
        if timeout is None:
            results.append(run(test))
            continue
        try:
            results.append(run_timeboxed(lambda test=test: run(test), timeout))
        except Overtime as exc:
            results.append(failed(name, path, f"timeout: {exc}", not_run=False, blocks=len(test.blocks),
                                  seconds=timeout))
        except ChildDied as exc:
            reason = f"internal error: {exc}"
            results.append(failed(name, path, reason, not_run=False, blocks=len(test.blocks)))
    return results


FileProgress = Callable[[int, int], None]   # (files done, files in all)


def iter_results(
    paths: list[str],
    machines: tuple[str, ...],
    jobs: int,
    scheduler: str | None = None,
    log2_window: int | None = None,
    timeout: float | None = None,
    on_file: FileProgress | None = None,
    s_version: int = DEFAULT_S_VERSION,
) -> Iterator[dict]:
    """Results of every fixture file under paths, file by file as each is done (any order).

    Files run in a local pool of `jobs` processes, or on an existing Dask cluster when a scheduler
    address is given (the same executor as `swapvm replay`); on_file hears of every file done."""
    from fastvm.fixtures import fixture_files

    files = [str(path) for path in fixture_files([Path(p) for p in paths])]
    if not files:
        raise SwapvmError("no fixture files (*.json) under the given paths")
    if "ab" in machines:
        from swapping.guest_image import guest_image

        guest_image()   # build the guest once, before the workers need it
    chunks = _file_chunks(files, machines, jobs, scheduler, log2_window, timeout, s_version)
    for done, chunk in enumerate(chunks, 1):
        yield from chunk
        if on_file is not None:
            on_file(done, len(files))


def _file_chunks(files: list[str], machines: tuple[str, ...], jobs: int, scheduler: str | None,
                 log2_window: int | None, timeout: float | None, s_version: int) -> Iterator[list[dict]]:
    """Each file's results, as each file is done: in this process, a local pool or a Dask cluster."""
    if scheduler:
        from swapping.executor import run_dask

        tasks = [(path, (path, machines, log2_window, timeout, s_version)) for path in files]
        for _, chunk in run_dask(run_file, tasks, scheduler):
            yield chunk
        return
    if jobs <= 1:
        for path in files:
            yield run_file(path, machines, log2_window, timeout, s_version)
        return
    # Pool's context exit terminates the workers, so an interrupted run leaves no orphans behind, and
    # exit_with_parent ends them when the run itself is killed.
    with Pool(processes=jobs, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
        job = partial(run_file, machines=machines, log2_window=log2_window, timeout=timeout,
                      s_version=s_version)
        yield from pool.imap_unordered(job, files)   # a slow file does not hold back the others


def summarize(results: list[dict], machines: tuple[str, ...], seconds: float, complete: bool = True,
              s_version: int = DEFAULT_S_VERSION) -> dict:
    """The report: counts and every test's verdict (complete is False for a run still going or cut short)."""
    return {
        "complete": complete,
        "machines": list(machines),
        "s_version": s_version,
        "total": len(results),
        "passed": sum(1 for r in results if r["ok"]),
        "failed": sum(1 for r in results if not r["ok"] and not r["expected_failure"]),
        "not_run": sum(1 for r in results if r.get("not_run")),
        "expected_failures": sum(1 for r in results if r["expected_failure"]),
        "seconds": round(seconds, 3),
        "tests": sorted(results, key=lambda r: (r["path"], r["name"])),
    }


PROGRESS_SECONDS = 60.0  # how often a long run rewrites its JSON report with the tests done so far


def write_report(path: str, report: dict) -> None:
    """Write the JSON report atomically (a reader never sees half a file); `-` prints the final one."""
    if path == STDOUT:
        if report["complete"]:
            print(json.dumps(report, indent=2), flush=True)
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(json.dumps(report, indent=2) + "\n")
        partial.replace(target)
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from exc


def _command(args: argparse.Namespace) -> int:
    """Run the suite, print one line per test (or only the failures with --quiet), write JSON if asked.

    With --json the report is rewritten every PROGRESS_SECONDS and when the run is interrupted, marked
    "complete": false, so an hour-long run that is cut short still leaves every verdict it reached."""
    machines = args.machines
    lines = sys.stderr if args.json == STDOUT else sys.stdout   # --json -: stdout holds the JSON alone
    start = last_write = time.perf_counter()
    results: list[dict] = []
    complete = False
    quiet_progress = args.quiet or not sys.stderr.isatty()   # then a sign of life at most every 10 s
    on_file = ProgressLine("conformance", "files") if quiet_progress else None
    # On SIGTERM, unwind (SystemExit) so that the pool's workers are ended too; restore the handler after.
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        found = iter_results(args.paths, machines, args.jobs, args.scheduler, args.log2_window, args.timeout,
                             on_file, args.s_version)
        for result in found:
            results.append(result)
            label = "PASS" if result["ok"] else ("XFAIL" if result["expected_failure"] else "FAIL")
            label = "NOTRUN" if result.get("not_run") else label
            if label != "PASS" or not args.quiet:
                reason = "" if result["ok"] else f": {result['reason']}"
                print(f"{label:<6} {result['name']}{reason}", file=lines, flush=True)
            if args.json and time.perf_counter() - last_write >= PROGRESS_SECONDS:
                write_report(args.json, summarize(results, machines, time.perf_counter() - start, False,
                                                        args.s_version))
                last_write = time.perf_counter()
        complete = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        if args.json and not complete and results:
            write_report(args.json, summarize(results, machines, time.perf_counter() - start, False,
                                                        args.s_version))
    report = summarize(results, machines, time.perf_counter() - start, s_version=args.s_version)
    print(
        f"{report['passed']} passed, {report['failed']} failed ({report['not_run']} could not run),"
        f" {report['expected_failures']} expected failures of {report['total']} tests"
        f" in {report['seconds']:.1f} s (machines: {','.join(machines)}; S version {args.s_version})",
        file=lines,
    )
    if args.json:
        write_report(args.json, report)
    sys.stdout.flush()
    return 0 if report["failed"] == 0 else 1


def register_evm(conformance_actions: argparse._SubParsersAction) -> None:
    """Add `swapvm conformance evm` to the `conformance` command's subcommands."""
    evm = conformance_actions.add_parser("evm", help="BlockchainTests fixtures through machine A (and AB)")
    evm.add_argument("paths", nargs="+", type=existing_path, help="BlockchainTests JSON files or directories")
    evm.add_argument(
        "--machines",
        type=parse_machines,
        default=("a", "ab"),
        help="comma-separated: a, ab (default both: AB must leave A's S'; ab alone: AB against the fixtures)",
    )
    evm.add_argument(
        "--s-version", type=s_version_arg, default=DEFAULT_S_VERSION, metavar="1|2",
        help=f"the S version the machines run on (default {DEFAULT_S_VERSION}): 2 holds a fork schedule "
             "(transition tests run) and the world in a preimage store (spec §6)",
    )
    evm.add_argument(
        "--log2-window", type=log2_window,
            help="AB's window, 2^a steps (default 41: a block that fits yields early)"
    )
    evm.add_argument(
        "--json", metavar="FILE", type=json_target,
        help="write the JSON report to FILE (rewritten every minute while the run goes on; - for stdout)",
    )
    evm.add_argument(
        "--jobs", type=jobs, default=os.cpu_count() or 1, help="parallel processes, 1..256 (default: CPUs)"
    )
    evm.add_argument("--scheduler", type=scheduler_address,
                     help="run the files on an existing Dask cluster (tcp://HOST:PORT)")
    evm.add_argument("--timeout", type=positive_seconds, metavar="S",
                     help="seconds per test: each test runs in its own process, killed at the deadline")
    evm.add_argument("--quiet", action="store_true",
                     help="print only failures and the summary (and a progress line at most every 10 s)")
    evm.set_defaults(func=_command)
