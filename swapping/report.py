"""How a replay is shown: a rich table per block, progress bars, JSON, and an optional plot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from emulator.cliargs import block_label
from emulator.errors import SwapvmError
from swapping.expectations import NOT_A_FIXTURE
from swapping.replay import Progress, ReplayReport

MAX_DIFFERENCES = 20   # lines of a mismatch printed below the table; the JSON report has them all


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Progress]:
    """A progress callback drawing one rich bar per phase (A, AB); silent when disabled."""
    if not enabled:
        yield lambda phase, done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    with RichProgress(
        "[bold]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    ) as bars:
        tasks: dict[str, int] = {}

        def update(phase: str, done: int, total: int) -> None:
            label = "A  (py-evm blocks)" if phase == "A" else "AB (RV64 windows)"
            if phase not in tasks:
                tasks[phase] = bars.add_task(label, total=total)
            bars.update(tasks[phase], completed=done, total=total)

        yield update


def progress_lines() -> Progress:
    """A progress callback: one line per phase at most every 10 s on stderr (no terminal, or --quiet)."""
    from swapping.progress import ProgressLine

    lines: dict[str, ProgressLine] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in lines:
            what, unit = ("replay A", "blocks") if phase == "A" else ("replay AB", "windows")
            lines[phase] = ProgressLine(what, unit)
        lines[phase](done, total)

    return update


def print_table(report: ReplayReport) -> None:
    """One row per block: window index and header number, gas, outcome, A time, AB steps, AB time, verdict."""
    from rich.table import Table

    from swapping.console import console as wide_console

    table = Table(title=f"replay: a = {report.log2_window} (window 2^{report.log2_window} steps)")
    for column in ("chain", "block", "number", "gas", "outcome", "A s", "AB steps", "AB s", "verdict"):
        numeric = column in ("block", "number", "gas", "A s", "AB steps", "AB s")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for row in report.blocks:
        verdict = "[green]match[/]" if row.verdict == "match" else f"[red]{row.verdict}[/]"
        table.add_row(
            row.chain,
            str(row.index),
            str(row.number) if row.number is not None else "-",
            f"{row.gas_used:,}",
            row.outcome,
            f"{row.a_seconds:.3f}",
            f"{row.ab_steps:,}",
            f"{row.ab_seconds:.3f}",
            verdict,
        )
    console = wide_console()
    console.print(table)
    for row in report.blocks:  # the why of every other verdict, below the table where it has room
        if row.verdict != "match":
            where = block_label(row.index, row.number)
            console.print(f"[red]{row.verdict}[/] {row.chain} {where}: {row.detail}", soft_wrap=True)
            for line in row.differences[1:MAX_DIFFERENCES]:
                console.print(f"    {line}", soft_wrap=True, markup=False, highlight=False)
            if len(row.differences) > MAX_DIFFERENCES:
                console.print(f"    … {len(row.differences) - MAX_DIFFERENCES} more in the JSON report")
    for chain, checks in report.fixture_checks.items():
        line = f"postState {checks['post_state']}; lastblockhash {checks['last_block_hash']}"
        if set(checks.values()) == {NOT_A_FIXTURE}:
            line = "no postState or lastblockhash to check (the source is not a fixture)"
        missed = any(verdict.startswith("differs") for verdict in checks.values())
        console.print(f"fixture {chain}: {line}", style="red" if missed else None, soft_wrap=True,
                      markup=False, highlight=False)
    counts = report.counts
    console.print(
        f"{len(report.blocks)} blocks, {sum(r.verdict == 'match' for r in report.blocks)} match; "
        f"A {report.a_wall_seconds:.2f} s ({counts['a_run']} run, {counts['a_reused']} reused), "
        f"AB {report.ab_wall_seconds:.2f} s ({counts['ab_run']} run, {counts['ab_reused']} reused)"
    )


def write_json(report: ReplayReport, path: str) -> None:
    """The whole report as JSON (`-` for stdout)."""
    text = json.dumps(report.to_json(), indent=2) + "\n"
    if path == "-":
        print(text, end="")
        return
    try:
        Path(path).write_text(text)
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from None


def write_plot(report: ReplayReport, path: str) -> None:
    """A vs AB time per block (left) and AB steps per block against 2^a (right), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = list(range(len(report.blocks)))
    fig, (times, steps) = plt.subplots(1, 2, figsize=(11, 4))
    times.plot(x, [r.a_seconds for r in report.blocks], "o-", label="A (py-evm)")
    times.plot(x, [r.ab_seconds for r in report.blocks], "s-", label="AB (Unicorn)")
    times.set(xlabel="block", ylabel="seconds", title="time per block", yscale="log")
    times.legend()
    steps.bar(x, [r.ab_steps for r in report.blocks], color="tab:orange")
    steps.axhline(2**report.log2_window, color="k", linestyle="--", label=f"2^{report.log2_window}")
    steps.set(xlabel="block", ylabel="AB steps", title="AB steps per block", yscale="log")
    steps.legend()
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise SwapvmError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        plt.close(fig)
