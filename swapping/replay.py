"""Replay: run A over every inbox block, then double-check every transition on AB in parallel.

Phase A stores each snapshot S_t in the content-addressed store and records the transition
S_t -> S_t+1 by root; phase AB runs one window per transition (attach Q*, run 2^a steps, detach)
and records its S root. Both record kinds are keyed by content, so a killed run resumes without
redoing finished work, and a corrupt snapshot is refused by its root.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from emulator.errors import SwapvmError
from fastvm.codec import encode
from fastvm.codec_v2 import encode_v2
from fastvm.inspect_state import summary_line
from fastvm.machine import Machine
from fastvm.preimages import PreimageStore
from fastvm.sfiles import AnyState, decode_any
from fastvm.state import EssentialState
from fastvm.state_v2 import EssentialStateV2
from swapping.diff import mismatch_differences
from swapping.executor import run_tasks
from swapping.guest_image import GuestImage
from swapping.records import Warn, check_a_record, check_ab_record, outcome_label, read_checked
from swapping.replay_v2 import V2Run, rewitness, run_a_v2
from swapping.store import Store
from swapping.window import MissingInWitness, WindowResult, window_root_of, window_task

MEASURE_LOG2_WINDOW = 34   # the window used to measure steps when no a is given (spec §5.1)
MEASURE_LOG2_WINDOW_MAX = 41   # ... and the one a block that overran it is measured again in

WORK_COUNTS = ("a_run", "a_reused", "ab_run", "ab_reused")
Progress = Callable[[str, int, int], None]   # (phase, done, total)


def warn_on_stderr(message: str) -> None:
    """The default way a replay names a record it does not trust: one line on standard error."""
    print(f"warning: {message}", file=sys.stderr)


@dataclass
class BlockRow:
    """One transition of one chain: A's result, AB's result and the verdict."""

    chain: str
    index: int
    number: int | None
    gas_used: int
    outcome: str
    a_seconds: float
    s_root_before: str
    s_root_a: str
    ab_steps: int = 0
    ab_status: str = ""
    ab_seconds: float = 0.0
    s_root_ab: str = ""
    verdict: str = "unchecked"
    detail: str = ""
    differences: list[str] = field(default_factory=list)   # a mismatch: every differing field and slot
    witness: str = ""   # S version 2: the digest of the block's witness (its key list), which AB is served


@dataclass
class ReplayReport:
    """The result of one replay: every block row plus the window and the work counts."""

    log2_window: int
    log2_blocks: dict[str, int]
    image_sha256: str
    workers: int
    scheduler: str
    s_size: int              # the S window both machines bound the state by
    s_version: int = 1       # the S format version of the replayed chains (spec §6)
    blocks: list[BlockRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WORK_COUNTS, 0))
    a_wall_seconds: float = 0.0
    ab_wall_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)   # records found untrustworthy and recomputed
    # chain -> {"post_state": verdict, "last_block_hash": verdict} (swapping/expectations.py)
    fixture_checks: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every transition matched on AB and no fixture expectation was missed."""
        verdicts = [v for checks in self.fixture_checks.values() for v in checks.values()]
        missed = any(v.startswith("differs") for v in verdicts)
        return all(row.verdict == "match" for row in self.blocks) and not missed

    def to_json(self) -> dict:
        """A JSON-ready dict of the whole report."""
        data = asdict(self)
        data["ok"] = self.ok
        data["mismatches"] = sum(row.verdict != "match" for row in self.blocks)
        return data


def _log2_ceil(n: int) -> int:
    """b = ceil(log2 n), with 0 for n <= 1."""
    return max(0, (n - 1).bit_length())


def run_a(
    name: str, s0: EssentialState, store: Store, report: ReplayReport, progress: Progress, warn: Warn
) -> list[BlockRow]:
    """Phase A: apply every inbox block, storing each snapshot; reuse transitions whose records check."""
    machine = Machine(s_size=report.s_size)
    state = s0
    root = store.put_state(encode(s0))
    rows = []
    total = s0.pending
    for done in range(total):
        key = root.hex()

        def check(record: dict, key: str = key, before: EssentialState = state) -> EssentialState:
            """The record against S_t and the S_t+1 it names."""
            return check_a_record(record, key, before, store, report.s_size)

        found = read_checked(store, "a", key, check, warn)
        if found is not None:
            record, state = found
            next_root = bytes.fromhex(record["next"])
            report.counts["a_reused"] += 1
        else:
            index = state.cursor
            state, info = machine.step(state)
            next_root = store.put_state(info.image)
            record = {
                "input": key,
                "next": next_root.hex(),
                "index": index,
                "number": info.number,
                "gas_used": info.gas_used,
                "outcome": outcome_label(state.outcome),
                "seconds": info.seconds,
            }
            store.put_record("a", key, record)
            report.counts["a_run"] += 1
        rows.append(
            BlockRow(
                chain=name,
                index=record["index"],
                number=record["number"],
                gas_used=record["gas_used"],
                outcome=record["outcome"],
                a_seconds=record["seconds"],
                s_root_before=key,
                s_root_a=next_root.hex(),
            )
        )
        root = next_root
        progress("A", done + 1, total)
    return rows


def run_a_any(name: str, s0: AnyState, store: Store, report: ReplayReport, progress: Progress, warn: Warn,
              v2: V2Run | None) -> list[BlockRow]:
    """Phase A on either version: version 2 over the run's preimage store (swapping/replay_v2.py)."""
    if not isinstance(s0, EssentialStateV2):
        return run_a(name, s0, store, report, progress, warn)
    if v2 is None:
        raise SwapvmError(f"{name}: an S of version 2 needs its preimage store")
    rows = []
    before = store.put_state(encode_v2(s0)).hex()
    for record in run_a_v2(v2, s0, report.counts, progress, warn, report.s_size):
        rows.append(BlockRow(chain=name, index=record["index"], number=record["number"],
                             gas_used=record["gas_used"], outcome=record["outcome"],
                             a_seconds=record["seconds"], s_root_before=before, s_root_a=record["next"],
                             witness=record["witness"]))
        before = record["next"]
    return rows


def _ab_key(image: GuestImage, log2_window: int, root_hex: str) -> str:
    """The record key of one AB window: the image's hash, the window size and S_t's root determine it."""
    return f"{image.sha256}-a{log2_window}-{root_hex}"


def _result_record(key: str, result: WindowResult, store: Store, witness: str = "") -> dict:
    """A window result as a JSON record; AB's S image goes into the store for later diffs."""
    image_root = store.put_state(result.s_image) if result.s_image else b""
    return ({"witness": witness} if witness else {}) | {
        "input": key,
        "steps": result.steps,
        "status": result.status,
        "cause": result.cause,
        "tval": result.tval,
        "s_root": result.s_root.hex(),
        "s_image_root": image_root.hex(),
        "machine_root": result.machine_root.hex(),
        "seconds": result.seconds,
    }


def run_ab(
    rows: list[BlockRow],
    image: GuestImage,
    log2_window: int,
    store: Store,
    report: ReplayReport,
    progress: Progress,
    workers: int | None,
    scheduler: str | None,
    backend: str = "unicorn",
    warn: Warn = warn_on_stderr,
    v2: V2Run | None = None,
    always_pool: bool = False,
) -> dict[str, dict]:
    """Phase AB: one window per distinct S_t without a checked record, in parallel; records by S_t root.

    On S version 2 a task carries S_t's image and its block's witness (the preimages), never the world."""
    records: dict[str, dict] = {}
    tasks = []
    witnesses = {row.s_root_before: row.witness for row in rows}
    def window_root(s_root: bytes) -> bytes:
        """The template's machine root over an S root; the template is built only if a record exists."""
        return window_root_of(image.elf, image.ram_size, image.s_size, log2_window)(s_root)

    for root_hex in dict.fromkeys(row.s_root_before for row in rows):
        key = _ab_key(image, log2_window, root_hex)
        s_image = store.get_state(bytes.fromhex(root_hex))

        def check(record: dict, key: str = key, s_image: bytes = s_image) -> None:
            """The record against S_t (decoded only when a record exists) and the image it names."""
            state = decode_any(s_image, image.s_size)
            check_ab_record(record, key, state, store, log2_window, window_root, image.s_size)

        found = read_checked(store, "ab", key, check, warn)
        if found is not None:
            records[root_hex] = found[0]
            report.counts["ab_reused"] += 1
            continue
        witness = v2.witness_bytes(witnesses[root_hex]) if witnesses[root_hex] and v2 else None
        args = (image.elf, image.ram_size, image.s_size, log2_window, s_image, backend, witness)
        tasks.append((root_hex, args))
    done = len(records)
    total = done + len(tasks)
    progress("AB", done, total)
    for root_hex, result in run_tasks(window_task, tasks, workers, scheduler, always_pool):
        key = _ab_key(image, log2_window, root_hex)
        if isinstance(result, MissingInWitness):
            assert v2 is not None
            result, witnesses[root_hex] = rewitness(v2, root_hex, result, rows, (image, log2_window, backend),
                                                    warn)
        record = _result_record(key, result, store, witnesses[root_hex])
        store.put_record("ab", key, record)
        records[root_hex] = record
        report.counts["ab_run"] += 1
        done += 1
        progress("AB", done, total)
    return records


def judge(row: BlockRow, record: dict, store: Store, s_size: int) -> None:
    """Fill in AB's columns of one row and its verdict (with the first differing field on a mismatch)."""
    row.ab_steps = record["steps"]
    row.ab_status = record["status"]
    row.ab_seconds = record["seconds"]
    row.s_root_ab = record["s_root"]
    if record["status"] == "overrun":
        row.verdict = "overrun"
        row.detail = f"the guest did not yield within 2^{record['steps'].bit_length()} steps"
    elif record["status"] == "faulted":
        row.verdict, row.detail = "fault", f"the guest faulted: {record['cause']} (tval {record['tval']:#x})"
    elif record["s_root"] == row.s_root_a:
        row.verdict, row.detail = "match", ""
    else:
        a_image = store.get_state(bytes.fromhex(row.s_root_a))
        ab_root = record["s_image_root"]
        ab_image = store.get_state(bytes.fromhex(ab_root)) if ab_root else b""
        row.differences = mismatch_differences(a_image, ab_image, s_size)
        row.verdict, row.detail = "mismatch", summary_line(row.differences)


def replay(
    chains: list[tuple[str, AnyState]],
    store: Store,
    image: GuestImage,
    *,
    preimages: PreimageStore | None = None,
    log2_window: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    backend: str = "unicorn",
    warn: Warn = warn_on_stderr,
    always_pool: bool = False,
) -> ReplayReport:
    """Replay every chain on A, double-check every transition on AB, and judge each block.

    always_pool runs AB in a process pool even with one worker (benchmarks compare pool against pool)."""
    progress = progress or (lambda phase, done, total: None)
    measured = log2_window is None
    window = MEASURE_LOG2_WINDOW if measured else log2_window
    report = ReplayReport(
        log2_window=window,
        log2_blocks={},
        image_sha256=image.sha256,
        workers=workers or 0,
        scheduler=scheduler or "",
        s_size=image.s_size,
        s_version=2 if any(isinstance(s0, EssentialStateV2) for _, s0 in chains) else 1,
    )
    v2 = V2Run(store, preimages, {}) if preimages is not None else None

    def warn_and_keep(message: str) -> None:
        """Pass a warning on and keep it in the report."""
        report.warnings.append(message)
        warn(message)

    start = time.perf_counter()
    rows: list[BlockRow] = []
    for name, s0 in chains:
        report.log2_blocks[name] = _log2_ceil(s0.pending)
        rows += run_a_any(name, s0, store, report, progress, warn_and_keep, v2)
    report.a_wall_seconds = time.perf_counter() - start
    start = time.perf_counter()
    records = run_ab(rows, image, window, store, report, progress, workers, scheduler, backend,
                     warn_and_keep, v2, always_pool)
    if measured:  # a block too large for the usual window is measured again in the largest one
        overran = [row for row in rows if records[row.s_root_before]["status"] == "overrun"]
        if overran:
            window = MEASURE_LOG2_WINDOW_MAX
            again = run_ab(overran, image, window, store, report, progress, workers, scheduler, backend,
                           warn_and_keep, v2, always_pool)
            records.update(again)
    report.ab_wall_seconds = time.perf_counter() - start
    for row in rows:
        judge(row, records[row.s_root_before], store, image.s_size)
    report.blocks = rows
    if measured:
        fitting = [row.ab_steps for row in rows if row.verdict != "overrun"]
        report.log2_window = max([1, *(steps.bit_length() for steps in fitting)])
        if len(fitting) < len(rows):
            report.log2_window = window   # some block fits no measured window: a is not known
    return report


def check_window_size(log2_window: int | None) -> None:
    """Refuse a window the machine cannot have."""
    if log2_window is not None and not 1 <= log2_window <= 63:
        raise SwapvmError(f"--log2-window {log2_window} outside 1..63")
