"""The guest's EIP-3155 trace: the trace build of the guest run on AB on one S, its debug-ECALL
records collected and turned into the same TxTrace lines as machine A's (spec §5.5)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import SwapvmError
from emulator.layout import SHADOW_STATUS, STATUS_YIELDED
from fastvm.eip3155 import TraceStep, TxSummary, TxTrace, opcode_names
from fastvm.state import Fork
from swapping.guest_image import GuestImage
from toolchain.build import TRACE_IMAGES

DEBUG_FD = 2  # the guest's rt_debug writes to fd 2
TRACE_LOG2_WINDOW = 41  # a generous cap (as conformance's window): a traced block yields early
EXEC_ERROR = 2  # the guest's status of an exceptional halt (evm_internal.h)


def trace_image(name: str = "guest-trace") -> GuestImage:
    """A trace build of the guest, built once and cached like the main guest."""
    from swapping.guest_image import guest_image

    if name not in TRACE_IMAGES:
        raise SwapvmError(f"unknown trace image {name!r}; choose one of {', '.join(TRACE_IMAGES)}")
    return guest_image(name=name)


@dataclass
class RecordParser:
    """Turns the guest's records into TxTraces: opName from the fork, gasCost from the next line
    of the same frame (or the frame's end), the error on an exceptionally halted frame's last line."""

    names: tuple[str, ...]
    transactions: list[TxTrace] = field(default_factory=list)
    current: TxTrace = field(default_factory=TxTrace)
    _pending: dict[int, int] = field(default_factory=dict)  # depth -> index of its frame's last line

    def _complete(self, depth: int, gas_after: int, error: str = "") -> None:
        """Fill in gasCost (and error) of the pending line of depth."""
        index = self._pending.pop(depth, None)
        if index is None:
            return
        old = self.current.steps[index]
        self.current.steps[index] = TraceStep(
            old.pc,
            old.op,
            old.gas,
            old.gas - gas_after,
            old.mem_size,
            old.stack,
            old.depth,
            old.refund,
            old.op_name,
            error,
        )

    def feed(self, record: dict[str, Any]) -> None:
        """One record of the guest: an opcode line, a frame's end, or a transaction's summary."""
        if "tx" in record:
            self.current.summary = TxSummary(
                bytes.fromhex(record["output"][2:]), int(record["gasUsed"], 16), bool(record["pass"])
            )
            self.transactions.append(self.current)
            self.current, self._pending = TxTrace(), {}
        elif "end" in record:
            error = "exceptional halt" if record["end"] == EXEC_ERROR else ""
            self._complete(record["depth"], int(record["gas"], 16), error)
        else:
            gas, depth = int(record["gas"], 16), record["depth"]
            self._complete(depth, gas)
            self.current.steps.append(
                TraceStep(
                    pc=record["pc"],
                    op=record["op"],
                    gas=gas,
                    gas_cost=0,
                    mem_size=record["memSize"],
                    stack=tuple(int(v, 16) for v in record["stack"]),
                    depth=depth,
                    refund=record["refund"],
                    op_name=self.names[record["op"]],
                )
            )
            self._pending[depth] = len(self.current.steps) - 1

    def result(self) -> list[TxTrace]:
        """Every transaction's trace, with an unfinished one last if the run stopped inside it."""
        return self.transactions + ([self.current] if self.current.steps else [])


def guest_trace(
    image: GuestImage, s_image: bytes, fork: Fork, backend: str = "unicorn", oracle: Any = None
) -> tuple[list[TxTrace], bytes]:
    """Run the trace image on s_image until it yields: its trace of the block and the S' it left.
    A guest that faults or never yields is an error (its partial trace is of no use without the reason)."""
    from emulator.machine import make_machine, shadow_field
    from swapping.window import read_s_image

    parser = RecordParser(opcode_names(fork))
    pending = bytearray()

    def output(fd: int, data: bytes) -> None:
        if fd != DEBUG_FD:
            return
        pending.extend(data)
        while (end := pending.find(b"\n")) >= 0:
            parser.feed(json.loads(pending[:end]))
            del pending[: end + 1]

    template = image.template(TRACE_LOG2_WINDOW)
    machine = make_machine(backend, template, template.initial_state(s_image), output, oracle=oracle)
    steps = machine.run_until_halt((1 << TRACE_LOG2_WINDOW) - 1)
    if shadow_field(machine.state(), SHADOW_STATUS) != STATUS_YIELDED:
        raise SwapvmError(f"the trace guest did not yield (stopped after {steps} steps)")
    return parser.result(), read_s_image(machine.state(), image.s_size)
