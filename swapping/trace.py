"""`swapvm trace`'s work: one block traced on machine A and on the guest (AB), and the first line
where the two traces differ in the compared fields (spec §5.5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.errors import SwapvmError
from fastvm.eip3155 import COMPARED_FIELDS, TraceStep, TxSummary, TxTrace, line_count
from fastvm.state import EssentialState


@dataclass(frozen=True)
class Divergence:
    """The first differing line: its transaction and line, both sides (None past a trace's end),
    the fields that differ, and the line before it, whose opcode made the difference."""

    tx: int
    line: int  # index of the line in the transaction (summary: after the steps)
    a: TraceStep | TxSummary | None
    ab: TraceStep | TxSummary | None
    fields: tuple[str, ...]
    previous: TraceStep | None  # the last line both traces agree on in this transaction

    def to_json(self) -> dict[str, Any]:
        """The difference as JSON: where, what differs, both lines and the opcode before."""
        return {
            "tx": self.tx,
            "line": self.line,
            "fields": list(self.fields),
            "a": self.a.to_json() if self.a else None,
            "ab": self.ab.to_json() if self.ab else None,
            "previous": self.previous.to_json() if self.previous else None,
        }


def _differing(a: TraceStep | TxSummary | None, ab: TraceStep | TxSummary | None) -> tuple[str, ...]:
    """The compared fields that differ between two lines (all of them when one side is missing or
    the lines are of different kinds)."""
    if a is None or ab is None or type(a) is not type(ab):
        return ("line",)
    left, right = a.compared(), ab.compared()
    return tuple(name for name in left if left[name] != right[name])


def _line_at(trace: TxTrace, index: int) -> TraceStep | TxSummary | None:
    """Line `index` of a transaction's trace: an opcode line, then the summary, then nothing."""
    if index < len(trace.steps):
        return trace.steps[index]
    return trace.summary if index == len(trace.steps) else None


def first_divergence(a: list[TxTrace], ab: list[TxTrace], only_tx: int | None = None) -> Divergence | None:
    """The first line, in execution order, where a and ab differ in the compared fields (only
    transaction only_tx when given); None when they agree."""
    for tx in range(max(len(a), len(ab))):
        if only_tx is not None and tx != only_tx:
            continue
        left = a[tx] if tx < len(a) else TxTrace()
        right = ab[tx] if tx < len(ab) else TxTrace()
        previous: TraceStep | None = None
        for index in range(max(len(left.steps), len(right.steps)) + 1):
            x, y = _line_at(left, index), _line_at(right, index)
            if x is None and y is None:
                break
            fields = _differing(x, y)
            if fields:
                return Divergence(tx, index, x, y, fields, previous)
            previous = x if isinstance(x, TraceStep) else previous
    return None


@dataclass(frozen=True)
class TraceReport:
    """Both traces of one block and their first difference."""

    chain: str
    index: int  # the block's place in the inbox (0-based)
    number: int | None  # its header number, when the header decodes
    a: list[TxTrace]
    ab: list[TxTrace]
    divergence: Divergence | None
    a_state: bytes  # S' as A left it (an S file's bytes)
    ab_state: bytes  # S' as the trace guest left it

    def to_json(self) -> dict[str, Any]:
        """Counts of both traces and the first difference (null when they agree)."""
        return {
            "chain": self.chain,
            "block": {"index": self.index, "number": self.number},
            "compared": list(COMPARED_FIELDS),
            "lines": {"a": line_count(self.a), "ab": line_count(self.ab)},
            "transactions": {"a": len(self.a), "ab": len(self.ab)},
            "agree": self.divergence is None,
            "difference": self.divergence.to_json() if self.divergence else None,
        }


def block_index(state: EssentialState, index: int | None = None, number: int | None = None) -> int:
    """The window index of the block to trace: `index` itself (the inbox position, from 0), or the
    position of the block whose header number is `number` (the convention of README and spec §5.4)."""
    from fastvm.checks import number_of

    blocks = len(state.inbox)
    if index is not None:
        if index >= blocks:
            raise SwapvmError(f"--block {index}: the inbox has {blocks} blocks (0 … {blocks - 1})")
        return index
    for position, raw in enumerate(state.inbox):
        if number_of(raw, state.fork) == number:
            return position
    raise SwapvmError(f"--number {number}: no block of the inbox has that header number")


def state_before(state: EssentialState, index: int) -> EssentialState:
    """S before the inbox's block `index`: machine A over the blocks before it."""
    from fastvm.machine import Machine

    machine = Machine()
    while state.cursor < index:
        state, _ = machine.step(state)
    return state


def trace_both(
    chain: str,
    s0: EssentialState,
    index: int,
    image: Any,
    backend: str = "unicorn",
    only_tx: int | None = None,
) -> TraceReport:
    """Trace the chosen block on A and on the trace image (a GuestImage), and compare the traces."""
    from fastvm.checks import number_of
    from fastvm.codec import encode
    from fastvm.trace import trace_block
    from swapping.trace_guest import guest_trace

    before = state_before(s0, index)
    a, _, info = trace_block(before)
    if only_tx is not None and not 0 <= only_tx < len(a):
        raise SwapvmError(f"--tx {only_tx}: block {index} has {len(a)} transactions on A")
    ab, ab_state = guest_trace(image, encode(before), before.fork, backend)
    number = number_of(s0.inbox[index], s0.fork)
    return TraceReport(chain, index, number, a, ab, first_divergence(a, ab, only_tx), info.image, ab_state)


def block_index_v2(state: Any, preimages: Any, index: int | None = None, number: int | None = None) -> int:
    """block_index on S version 2: the inbox is read through its trie in the store."""
    from fastvm.checks import number_of
    from swapping.records_v2 import block_fork, inbox_raw

    blocks = state.inbox.length
    if index is not None:
        if index >= blocks:
            raise SwapvmError(f"--block {index}: the inbox has {blocks} blocks (0 … {blocks - 1})")
        return index
    for position in range(blocks):
        at = state.with_changes(cursor=position)
        raw = inbox_raw(at, preimages)
        if number_of(raw, block_fork(at, raw)) == number:
            return position
    raise SwapvmError(f"--number {number}: no block of the inbox has that header number")


def trace_both_v2(chain: str, s0: Any, preimages: Any, index: int, image: Any, backend: str = "unicorn",
                  only_tx: int | None = None) -> TraceReport:
    """trace_both on S version 2: A records the block's witness over the store, then both machines trace
    the block on that witness alone (the guest through its oracle)."""
    from emulator.oracle import DictOracle
    from fastvm.checks import number_of
    from fastvm.codec_v2 import encode_v2
    from fastvm.export_v2 import ExporterV2
    from fastvm.trace import trace_block_v2
    from swapping.records_v2 import block_fork, inbox_raw
    from swapping.trace_guest import guest_trace

    exporter = ExporterV2(preimages)
    before = s0
    while before.cursor < index:
        before, _info, _witness = exporter.export(before)
    _after, _info, witness = exporter.export(before)
    oracle = witness.preimages()
    a, _, info = trace_block_v2(before, oracle)
    if only_tx is not None and not 0 <= only_tx < len(a):
        raise SwapvmError(f"--tx {only_tx}: block {index} has {len(a)} transactions on A")
    raw = inbox_raw(before, preimages)
    fork = block_fork(before, raw)
    ab, ab_state = guest_trace(image, encode_v2(before), fork, backend, DictOracle(oracle.values()))
    divergence = first_divergence(a, ab, only_tx)
    return TraceReport(chain, index, number_of(raw, fork), a, ab, divergence, info.image, ab_state)
