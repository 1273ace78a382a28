"""Machine A's EIP-3155 tracer: py-evm with every opcode recorded before it runs (spec §5.5).

py-evm has no tracer. A tracing copy of the fork's VM, state and computation classes is built
for each traced block, never on A's normal path: its computation reads code through a stream
that remembers each opcode's pc, and its opcode table wraps every opcode function with a
recorder. The normal classes (fastvm/forks.py) are untouched, so A's speed is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth.exceptions import Halt, Revert, VMError
from eth.vm.code_stream import CodeStream
from eth.vm.logic.invalid import InvalidOpcode
from eth.vm.opcode_values import STOP

from fastvm.eip3155 import TraceStep, TxSummary, TxTrace, opcode_names
from fastvm.forks import machine_vm_class
from fastvm.machine import Machine, StepInfo
from fastvm.state import EssentialState, Fork


class TracingCodeStream(CodeStream):
    """py-evm's code stream, iterated the same way, remembering the pc of the opcode it yielded."""

    __slots__ = ("traced_pc",)

    def __iter__(self):  # noqa: ANN204 - Iterator[int], as CodeStream's
        """Opcodes from the program counter on; past the end, STOP (as py-evm's own stream)."""
        raw = self._raw_code_bytes
        while True:
            pc = self.program_counter
            if pc >= len(raw):
                break
            self.traced_pc = pc
            self.program_counter = pc + 1
            yield raw[pc]
        self.traced_pc = self.program_counter
        yield STOP


@dataclass(slots=True)
class _Frame:
    """A running computation and the refund bookkeeping of its depth.

    A frame's own refund changes only through its own opcodes and when a child finishes, so
    the refund of the frames up to its depth (`upto`) is computed at its lines and reused by its
    descendants' lines: a line costs its own frame's work, not a walk over every frame and child."""

    computation: Any
    counted: int = 0          # children whose refunds are in children_refund
    children_refund: int = 0  # py-evm keeps a failed child's at zero
    upto: int = 0             # the transaction's refund counter at this frame's last line

    def own_refund(self) -> int:
        """The frame's own refunds and those of its finished children."""
        children = self.computation.children
        while self.counted < len(children):
            self.children_refund += children[self.counted].get_gas_refund()
            self.counted += 1
        return self.computation._gas_meter.gas_refunded + self.children_refund


class Recorder:
    """Collects one block's trace: a TxTrace per transaction, lines in execution order."""

    def __init__(self, fork: Fork) -> None:
        self.names = opcode_names(fork)
        self.transactions: list[TxTrace] = []
        self._frames: list[_Frame] = []  # the running frame of each depth (0-based)

    def start_transaction(self) -> None:
        """A transaction begins: its lines go to a new TxTrace."""
        self.transactions.append(TxTrace())
        self._frames.clear()

    def end_transaction(self, summary: TxSummary) -> None:
        """The running transaction ended with this summary."""
        self.transactions[-1].summary = summary

    def before(self, computation: Any, op: int) -> int:
        """Record the state before opcode `op` of computation; returns the line's index (-1 outside a
        transaction: a system call such as EIP-4788's is in no transaction's trace, as on the guest)."""
        if not self.transactions or self.transactions[-1].summary is not None:
            return -1
        depth = computation.msg.depth
        del self._frames[depth + 1 :]
        if len(self._frames) <= depth or self._frames[depth].computation is not computation:
            del self._frames[depth:]
            self._frames.append(_Frame(computation))
        frame = self._frames[depth]
        frame.upto = (self._frames[depth - 1].upto if depth else 0) + frame.own_refund()
        stack = tuple(
            v if isinstance(v, int) else int.from_bytes(v, "big") for v in computation._stack.values
        )
        step = TraceStep(
            pc=computation.code.traced_pc,
            op=op,
            gas=computation.get_gas_remaining(),
            gas_cost=0,
            mem_size=len(computation._memory),
            stack=stack,
            depth=depth + 1,
            refund=frame.upto,
            op_name=self.names[op],
        )
        steps = self.transactions[-1].steps
        steps.append(step)
        return len(steps) - 1

    def after(self, index: int, gas_cost: int, error: str) -> None:
        """Complete line `index` with what the opcode cost and how it failed, if it did."""
        if index < 0:
            return
        steps = self.transactions[-1].steps
        old = steps[index]
        steps[index] = TraceStep(
            old.pc,
            old.op,
            old.gas,
            gas_cost,
            old.mem_size,
            old.stack,
            old.depth,
            old.refund,
            old.op_name,
            error,
        )


def _traced_opcode(op: int, fn: Callable[..., Any], recorder: Recorder) -> Callable[..., Any]:
    """fn with its line recorded before it runs (frames without code record nothing, as the guest)."""

    def traced(computation: Any) -> None:
        if not len(computation.code):
            fn(computation=computation)
            return
        index = recorder.before(computation, op)
        gas = computation.get_gas_remaining()
        error = ""
        try:
            fn(computation=computation)
        except (Halt, Revert):
            raise
        except VMError as exc:
            error = type(exc).__name__
            raise
        finally:
            # an exceptional halt costs the frame all the gas it had, as on the guest
            recorder.after(index, gas if error else gas - computation.get_gas_remaining(), error)

    return traced


def tracing_vm_class(fork: Fork, recorder: Recorder, base_vm: type | None = None) -> type:
    """A copy of A's VM class of the fork (or of base_vm) whose every opcode and transaction reports to
    recorder."""
    base_vm = base_vm or machine_vm_class(fork)
    base_state = base_vm._state_class
    base_computation = base_state.computation_class
    table = base_computation.opcodes
    opcodes = {op: _traced_opcode(op, table.get(op) or InvalidOpcode(op), recorder) for op in range(256)}

    class TracingComputation(base_computation):  # type: ignore[misc, valid-type]
        """The fork's computation, its code read through a TracingCodeStream, its opcodes traced."""

        def __init__(self, state: Any, message: Any, transaction_context: Any) -> None:
            super().__init__(state, message, transaction_context)
            self.code = TracingCodeStream(message.code)

    TracingComputation.opcodes = opcodes

    class TracingState(base_state):  # type: ignore[misc, valid-type]
        """The fork's state with the tracing computation."""

        computation_class = TracingComputation

    class TracingVM(base_vm):  # type: ignore[misc, valid-type]
        """A's VM, reporting each transaction's start and summary."""

        _state_class = TracingState

        def apply_transaction(self, header: Any, transaction: Any) -> tuple[Any, Any]:
            """py-evm's transaction, between a start and a summary line."""
            recorder.start_transaction()
            receipt, computation = super().apply_transaction(header, transaction)
            summary = TxSummary(
                computation.output, receipt.gas_used - header.gas_used, computation.is_success
            )
            recorder.end_transaction(summary)
            return receipt, computation

    return TracingVM


class _Tracing:
    """One tracing VM class and recorder per fork for one step (A asks for a fork's VM class more than
    once: the block's, and the parent header's class, which is the previous fork's at a fork time)."""

    def __init__(self) -> None:
        self.recorders: dict[Fork, Recorder] = {}
        self._classes: dict[Fork, type] = {}

    def vm_class(self, fork: Fork, base_vm: type | None = None) -> type:
        """The tracing VM class of fork, made once."""
        if fork not in self._classes:
            self.recorders[fork] = Recorder(fork)
            self._classes[fork] = tracing_vm_class(fork, self.recorders[fork], base_vm)
        return self._classes[fork]

    def transactions(self, fork: Fork) -> list[TxTrace]:
        """The trace of the block, which ran on its fork's VM."""
        recorder = self.recorders.get(fork)
        return recorder.transactions if recorder else []


class TracingMachine(Machine):
    """Machine A with a tracing VM: the same step, and the trace of the block it applied."""

    def __init__(self) -> None:
        super().__init__()
        self.tracing = _Tracing()

    def vm_class_of(self, fork: Fork) -> type:
        """The tracing VM class of the fork for this step."""
        return self.tracing.vm_class(fork)


def trace_block(state: EssentialState) -> tuple[list[TxTrace], EssentialState, StepInfo]:
    """A's trace of the next inbox block of state, with the step's result."""
    machine = TracingMachine()
    after, info = machine.step(state)
    return machine.tracing.transactions(state.fork), after, info


def trace_block_v2(state: Any, preimages: Any) -> tuple[list[TxTrace], Any, StepInfo]:
    """A's trace of S version 2's next block on the block's preimages (its witness, or the store)."""
    from fastvm.contentdb import content_vm_class
    from fastvm.export_v2 import as_version_1, inbox_block, step_v2
    from fastvm.witness import ReplayMachine

    tracing = _Tracing()

    class TracingReplayMachine(ReplayMachine):
        """A over the preimages with a tracing copy of the content VM."""

        def vm_class_of(self, fork: Fork) -> type:
            """The tracing VM class over content-addressed batches."""
            return tracing.vm_class(fork, content_vm_class(fork))

    raw, _view = inbox_block(state, preimages)
    after, info = step_v2(TracingReplayMachine(preimages, version_2=True), state, raw)
    return tracing.transactions(as_version_1(state, raw)[1]), after, info
