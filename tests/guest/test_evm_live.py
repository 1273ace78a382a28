"""The live-byte budget (spec §4.9, reason code 9): A, AB and the native guest refuse the same blocks.

A small-budget build of the guest (`guest-live-small`, toolchain/build.py) and A configured with the
same budget run blocks that cross it by each counter (memory, return data, logs, cold accesses,
journal, deployed code, transient slots and TSTOREs' journal) and blocks just below it, found by bisection on a block's knob: the outcome,
the S' image and the count itself must agree, the code of a crossing block is 9, and its S' is S with
the cursor advanced (the world untouched); transient storage's (a Cancun block) too. The constants of fastvm/live.py and guest/src/evm/live.h
are the same numbers.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import rlp
from evm_native import guest_sources
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.heap_blocks import KEY, TARGET, heap_block
from fastvm import live
from fastvm.builder import Tx, sign, with_transactions
from fastvm.codec import encode
from fastvm.machine import Machine
from fastvm.state import EssentialState, Fork, Outcome, Reason, Status
from swapping.guest_image import GuestImage, guest_image
from swapping.heap_probe import measure_heap
from toolchain.build import LIVE_SMALL_BUDGET, ROOT
from toolchain.host import build_host_executable

SMALL = LIVE_SMALL_BUDGET
UNLIMITED = 1 << 62


def header_defines(path: Path) -> dict[str, int]:
    """The integer #defines of a C header (suffixes and a shift of two numbers understood)."""
    found = {}
    for name, value in re.findall(r"#define (\w+) \(?([0-9xa-fA-F]+u?l*l*(?: << \d+)?)\)?", path.read_text()):
        number = re.sub(r"u?l*$", "", value.split(" << ")[0], flags=re.I)
        found[name] = int(number, 0) << (int(value.split(" << ")[1]) if " << " in value else 0)
    return found


def test_constants_are_the_guests() -> None:
    """Every LIVE_* weight, the default budget and reason code 9 are the same in A and the guest."""
    defines = header_defines(ROOT / "guest" / "src" / "evm" / "live.h")
    weights = {name: value for name, value in defines.items() if name.startswith("LIVE_")}
    python = {name: getattr(live, name) for name in dir(live) if name.startswith("LIVE_")}
    del python["LIVE_BUDGET"]
    assert len(weights) == 20 and weights == python
    assert defines["SWAPVM_LIVE_BUDGET"] == live.LIVE_BUDGET
    reason = header_defines(ROOT / "guest" / "include" / "scodec.h")["S_REASON_LIVE_BUDGET"]
    assert reason == Reason.LIVE_BUDGET == 9


@functools.cache
def small_native() -> Path:
    """The native runner (guest/tests/evm/run_block_host.c) built with the small budget."""
    out = Path(tempfile.mkdtemp(prefix="evm_live_")) / "run_block_host"
    return build_host_executable(guest_sources(), out, defines=[f"SWAPVM_LIVE_BUDGET={SMALL}ull"])


def native_image(state: EssentialState) -> bytes:
    """The image the small-budget native guest leaves after one step on state."""
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "in").write_bytes(encode(state))
        command = [str(small_native()), f"{work}/in", f"{work}/out"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return (Path(work) / "out").read_bytes()


@pytest.fixture(scope="module")
def small_image() -> GuestImage:
    """The guest built with the small budget."""
    return guest_image(name="guest-live-small")


def run_a(state: EssentialState, budget: int = SMALL) -> tuple[EssentialState, object, int]:
    """A's step at `budget`: S', its info and the block's count of live bytes."""
    machine = Machine(live_budget=budget)
    after, info = machine.step(state)
    return after, info, machine.live_total


def agree(state: EssentialState, image: GuestImage) -> tuple[object, int]:
    """A, AB and the native guest at the small budget leave the same S' (and A and AB the same count)."""
    after, info, total = run_a(state)
    run = measure_heap(image, encode(state))
    assert run.status == "yielded", (run.status, run.cause)
    assert run.s_image == info.image == encode(after)
    assert run.live_total == total
    assert native_image(state) == info.image
    if info.status == Status.REJECTED:  # the world, parent and ancestors untouched (spec §4.5)
        assert after == state.with_changes(cursor=1, outcome=Outcome.rejected(info.reason))
    return info, total


# Each counter's blocks: a strategy for a family's knobs, and from the knobs a block maker of one
# integer (the gas, or a size) that makes the count grow, with a value below and one above the budget.
# A maker returns the block and its count, measured while A builds it with no budget.
Maker = Callable[[int], tuple[EssentialState, int]]


def measured(family: str, knobs: tuple[int, ...], gas: int) -> tuple[EssentialState, int]:
    """A block of a family and its count of live bytes."""
    machine = Machine(live_budget=UNLIMITED)
    return heap_block(family, knobs, gas, machine).state, machine.live_total


def by_gas(family: str, knobs: Callable[[object], tuple[int, ...]]) -> Callable[[object], Maker]:
    """Blocks of a family whose transaction's gas is the integer."""
    return lambda drawn: lambda gas: measured(family, knobs(drawn), gas)


COUNTERS: dict[str, tuple[st.SearchStrategy, Callable[[object], Maker], int, int]] = {
    "memory": (st.sampled_from([16_384, 65_536]), by_gas("recursion", lambda frame: (frame, 32, 0)),
               50_000, 3_000_000),
    "return": (st.sampled_from([400_000, 1_000_000]),
               lambda gas: lambda size: measured("copies", (size // 32 * 32,), gas), 32, 120_000),
    "logs": (st.tuples(st.sampled_from([256, 4_096]), st.integers(0, 4)), by_gas("logs", lambda k: k),
             70_000, 6_000_000),
    "cold accesses": (st.integers(0, 1), by_gas("accounts", lambda stores: (stores,)), 1_000_000, 16_000_000),
    "journal": (st.sampled_from([20, 40]), by_gas("journal", lambda slots: (slots,)), 2_000_000, 3_200_000),
    "deployed code": (st.sampled_from([12_288, 24_576]), by_gas("deploys", lambda size: (size,)),
                      70_000, 130_000_000),
    "transient slots": (st.sampled_from([1, 8]), by_gas("transient", lambda stores: (stores, 1)),
                        100_000, 3_000_000),
    "transient journal": (st.just(1), by_gas("transient", lambda stores: (stores, 0)), 100_000, 8_000_000),
}


def crossing(make: Maker, low: int, high: int) -> tuple[EssentialState, EssentialState]:
    """Two blocks from neighbouring integers: the count of one within the small budget, of the other
    above it (the refusal itself is checked on all three machines by the caller)."""
    assert make(low)[1] <= SMALL < make(high)[1]
    while high - low > max(32, low // 50):
        middle = (low + high) // 2
        if make(middle)[1] <= SMALL:
            low = middle
        else:
            high = middle
    return make(low)[0], make(high)[0]


def check_counter(image: GuestImage, counter: str, knobs: object) -> None:
    """The blocks just below and just above the budget by one counter agree on A, AB and native."""
    _strategy, maker, low, high = COUNTERS[counter]
    below, above = crossing(maker(knobs), low, high)
    info, total = agree(below, image)
    assert info.status == Status.ACCEPTED and 0.9 * SMALL < total <= SMALL
    info, total = agree(above, image)
    assert info.reason == Reason.LIVE_BUDGET and total > SMALL


@pytest.mark.parametrize("counter", sorted(COUNTERS))
@settings(max_examples=1, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_crossing_the_budget(small_image: GuestImage, counter: str, data: st.DataObject) -> None:
    check_counter(small_image, counter, data.draw(COUNTERS[counter][0]))


@pytest.mark.slow
@pytest.mark.parametrize("counter", sorted(COUNTERS))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_crossing_the_budget_slow(small_image: GuestImage, counter: str, data: st.DataObject) -> None:
    check_counter(small_image, counter, data.draw(COUNTERS[counter][0]))


def over_budget_block() -> tuple[EssentialState, bytes]:
    """S pending a block whose one transaction passes the small budget (logs), and that transaction."""
    state = heap_block("logs", (4_096, 2), 3_000_000).state
    assert run_a(state)[1].reason == Reason.LIVE_BUDGET
    return state, rlp.decode(state.inbox[0])[1][0]


def test_refusal_ranks_before_a_later_invalid_transaction(small_image: GuestImage) -> None:
    """Refused during transaction 1: code 9, though transaction 2 is invalid (a wrong nonce); with the
    invalid transaction first, code 4 (the order of execution decides, spec §4.6)."""
    state, crosser = over_budget_block()
    invalid = sign(Fork.SHANGHAI, 1, Tx(KEY, TARGET, gas=21_000, max_fee=10**9), nonce=7).encode()
    orders = (([crosser, invalid], Reason.LIVE_BUDGET), ([invalid, crosser], Reason.TRANSACTION_INVALID))
    for txs, reason in orders:
        block = state.with_changes(inbox=(with_transactions(state.inbox[0], txs),))
        info, _total = agree(block, small_image)
        assert info.reason == reason


def test_refusal_ranks_before_the_checks_after_execution(small_image: GuestImage) -> None:
    """A block whose state root is wrong: 7 when it fits the budget, 9 when it does not."""
    state, _crosser = over_budget_block()
    header, txs, ommers, withdrawals = rlp.decode(state.inbox[0])
    header[3] = bytes(32)
    block = state.with_changes(inbox=(rlp.encode([header, txs, ommers, withdrawals]),))
    assert run_a(block, UNLIMITED)[1].reason == Reason.STATE_ROOT_MISMATCH
    info, _total = agree(block, small_image)
    assert info.reason == Reason.LIVE_BUDGET
