"""Machine A's EIP-3155 tracer, every line computed by hand (chain: tests/swapping/trace/add.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastvm.describe import state_from_description_file
from fastvm.eip3155 import TraceStep, TxTrace
from fastvm.forks import machine_vm_class
from fastvm.machine import Machine
from fastvm.state import Fork
from fastvm.trace import trace_block

EXAMPLE = Path(__file__).resolve().parents[1] / "swapping" / "trace" / "add.toml"
INTRINSIC = 21_000
PUSH1, ADD, STOP, SSTORE, GAS, CALL, JUMP, MSTORE, REVERT, RETURN = (
    0x60,
    0x01,
    0x00,
    0x55,
    0x5A,
    0xF1,
    0x56,
    0x52,
    0xFD,
    0xF3,
)


@pytest.fixture(scope="module")
def trace() -> list[TxTrace]:
    """A's trace of the example's only block."""
    transactions, _, info = trace_block(state_from_description_file(EXAMPLE))
    assert info.status.name == "ACCEPTED"
    return transactions


def rows(tx: TxTrace) -> list[tuple]:
    """(pc, op, gas, gasCost, memSize, stack, depth, refund, opName) of every line."""
    return [
        (s.pc, s.op, s.gas, s.gas_cost, s.mem_size, s.stack, s.depth, s.refund, s.op_name) for s in tx.steps
    ]


def test_push_push_add_stop_line_by_line(trace: list[TxTrace]) -> None:
    gas = 50_000 - INTRINSIC
    assert rows(trace[0]) == [
        (0, PUSH1, gas, 3, 0, (), 1, 0, "PUSH1"),
        (2, PUSH1, gas - 3, 3, 0, (1,), 1, 0, "PUSH1"),
        (4, ADD, gas - 6, 3, 0, (1, 2), 1, 0, "ADD"),
        (5, STOP, gas - 9, 0, 0, (3,), 1, 0, "STOP"),
    ]
    summary = trace[0].summary
    assert summary is not None and (summary.gas_used, summary.passed, summary.output) == (
        INTRINSIC + 9,
        True,
        b"",
    )


def test_the_refund_counter_counts_from_the_opcode_after_the_sstore(trace: list[TxTrace]) -> None:
    cold_reset = 2_100 + 2_900  # EIP-2929 cold slot + EIP-2200 reset of a non-zero slot
    clear_refund = 4_800  # EIP-3529
    gas = 50_000 - INTRINSIC
    assert [(r[0], r[1], r[2], r[3], r[7]) for r in rows(trace[1])] == [
        (0, PUSH1, gas, 3, 0),
        (2, PUSH1, gas - 3, 3, 0),
        (4, SSTORE, gas - 6, cold_reset, 0),
        (5, STOP, gas - 6 - cold_reset, 0, clear_refund),
    ]
    used = INTRINSIC + 6 + cold_reset
    assert trace[1].summary is not None and trace[1].summary.gas_used == used - min(clear_refund, used // 5)


def test_a_call_opens_depth_2_with_all_but_a_64th_of_the_gas(trace: list[TxTrace]) -> None:
    steps = trace[2].steps
    call = next(s for s in steps if s.op == CALL)
    child = steps[steps.index(call) + 1 : steps.index(call) + 5]
    assert call.depth == 1 and call.stack[-1] == call.gas  # GAS pushed what CALL starts with
    available = call.gas - 2_600  # a cold account (EIP-2929)
    assert [(s.pc, s.op, s.depth) for s in child] == [(0, PUSH1, 2), (2, PUSH1, 2), (4, ADD, 2), (5, STOP, 2)]
    assert child[0].gas == available - available // 64  # EIP-150
    after = steps[steps.index(call) + 5]
    assert (after.pc, after.depth, after.stack) == (14, 1, (1,))
    assert call.gas_cost == call.gas - after.gas  # CALL's cost includes what the child spent
    assert steps[-1].op == RETURN and trace[2].summary is not None and trace[2].summary.output == bytes(32)


def test_an_exceptional_halt_marks_its_line_and_costs_all_the_gas(trace: list[TxTrace]) -> None:
    jump = trace[3].steps[-1]
    assert (jump.pc, jump.op, jump.stack, jump.error) == (2, JUMP, (4,), "InvalidJumpDestination")
    assert jump.gas_cost == jump.gas
    assert trace[3].summary is not None and (trace[3].summary.gas_used, trace[3].summary.passed) == (
        30_000,
        False,
    )


def test_memory_size_is_in_bytes_after_the_opcode_that_grew_it(trace: list[TxTrace]) -> None:
    steps = trace[4].steps
    assert [(s.op, s.mem_size) for s in steps] == [
        (PUSH1, 0),
        (PUSH1, 0),
        (MSTORE, 0),
        (PUSH1, 96),
        (PUSH1, 96),
        (REVERT, 96),
    ]
    assert steps[2].gas_cost == 3 + 3 * 3  # MSTORE at 0x40: three words of memory
    assert steps[-1].error == ""  # a revert is no exceptional halt
    summary = trace[4].summary
    assert summary is not None and summary.output == (42).to_bytes(32, "big") and not summary.passed


def test_lines_serialize_as_eip_3155_json() -> None:
    step = TraceStep(4, ADD, 28_994, 3, 0, (1, 2), 1, 0, "ADD")
    assert step.to_json() == {
        "pc": 4,
        "op": 1,
        "gas": "0x7142",
        "gasCost": "0x3",
        "memSize": 0,
        "stack": ["0x1", "0x2"],
        "depth": 1,
        "refund": 0,
        "opName": "ADD",
    }
    assert (
        TraceStep(2, JUMP, 9, 9, 0, (4,), 1, 0, "JUMP", "InvalidJumpDestination").to_json()["error"]
        == "InvalidJumpDestination"
    )


def test_the_normal_machine_runs_the_untraced_classes() -> None:
    """Tracing never touches A's normal path: its VM class and opcode table are py-evm's."""
    vm_class = Machine().vm_class_of(Fork.SHANGHAI)
    assert vm_class is machine_vm_class(Fork.SHANGHAI)
    opcodes = vm_class._state_class.computation_class.opcodes
    assert not any(fn.__name__ == "traced" for fn in opcodes.values() if hasattr(fn, "__name__"))
