"""EIP-3155 trace lines, shared by machine A's tracer and the guest's: one record per opcode, a
summary per transaction, their JSON form and the fields two traces are compared on (spec §5.5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fastvm.state import Fork

# The fields of an opcode line two traces must agree on, in the order a difference is reported.
COMPARED_FIELDS = ("pc", "op", "gas", "stack", "depth", "memSize", "refund")
# The fields of a transaction's summary line two traces must agree on.
COMPARED_SUMMARY_FIELDS = ("gasUsed", "pass")


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One opcode about to run: the state before it, and what it cost (gasCost, informative)."""

    pc: int
    op: int
    gas: int  # gas left before the opcode (its static cost not yet charged)
    gas_cost: int  # gas before the opcode minus gas after it in the same frame (shown, not compared)
    mem_size: int  # the frame's memory in bytes (a multiple of 32)
    stack: tuple[int, ...]  # bottom first
    depth: int  # 1 for the transaction's own frame
    refund: int  # the transaction's refund counter so far
    op_name: str
    error: str = ""  # set when the opcode halted the frame exceptionally

    def compared(self) -> dict[str, Any]:
        """The values two traces are compared on, by EIP-3155 field name."""
        return {
            "pc": self.pc,
            "op": self.op,
            "gas": self.gas,
            "stack": self.stack,
            "depth": self.depth,
            "memSize": self.mem_size,
            "refund": self.refund,
        }

    def to_json(self) -> dict[str, Any]:
        """The EIP-3155 JSON line (numbers as EIP-3155 writes them: gas and stack items in hex)."""
        line: dict[str, Any] = {
            "pc": self.pc,
            "op": self.op,
            "gas": hex(self.gas),
            "gasCost": hex(self.gas_cost),
            "memSize": self.mem_size,
            "stack": [hex(v) for v in self.stack],
            "depth": self.depth,
            "refund": self.refund,
            "opName": self.op_name,
        }
        if self.error:
            line["error"] = self.error
        return line


@dataclass(frozen=True, slots=True)
class TxSummary:
    """The summary line of one transaction: its output, gas used (after the refund) and success."""

    output: bytes
    gas_used: int
    passed: bool

    def compared(self) -> dict[str, Any]:
        """The summary values two traces are compared on."""
        return {"gasUsed": self.gas_used, "pass": self.passed}

    def to_json(self) -> dict[str, Any]:
        """The EIP-3155 summary line."""
        return {"output": self.output.hex(), "gasUsed": hex(self.gas_used), "pass": self.passed}


@dataclass(slots=True)
class TxTrace:
    """Every opcode line of one transaction, then its summary (None if the run stopped inside it)."""

    steps: list[TraceStep] = field(default_factory=list)
    summary: TxSummary | None = None


def line_count(trace: list[TxTrace]) -> int:
    """Lines of a block's trace: every opcode line and every summary line."""
    return sum(len(tx.steps) + (tx.summary is not None) for tx in trace)


@cache
def opcode_names(fork: Fork) -> tuple[str, ...]:
    """The fork's mnemonic of every byte, from py-evm's opcode table ("INVALID" where undefined)."""
    from fastvm.forks import base_vm_class

    table = base_vm_class(fork)._state_class.computation_class.opcodes
    names = []
    for byte in range(256):
        fn = table.get(byte)
        name = getattr(fn, "mnemonic", None) or getattr(getattr(fn, "__wrapped__", None), "mnemonic", None)
        names.append(name or "INVALID")
    return tuple(names)
