"""The guest's heap on AB under blocks built to hold the most heap per gas (spec §4.9, issue 11).

Each block runs on A and on AB: AB must leave A's S' byte for byte (never abort out of heap), and
the guest's heap high-water, less that of a plain transfer, must stay within the bound derived from
the gas schedule (bench/heap_bound.py). A returned frame's memory must be given back.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.heap import baseline_heap, measure_block
from bench.heap_blocks import HELPER, heap_block
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import encode
from fastvm.evmasm import assemble
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork
from swapping.guest_image import GuestImage, guest_image
from swapping.heap_probe import measure_heap

KEY = b"\x53" * 32
CALLER = b"\xc2" * 20


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest image of this tree."""
    return guest_image()


@pytest.fixture(scope="module")
def base(image: GuestImage) -> int:
    """The heap high-water of a plain transfer."""
    return baseline_heap(image)


def test_issue_11_recursion_fits_and_matches_a(image: GuestImage, base: int) -> None:
    """Issue 11's shape: a recursive chain with 256 KiB of memory and return data per frame, 300 M
    gas in a 2.1 G-gas block. At 64 MiB of RAM, with the region doubling, AB aborted (RT_ABORT_OOM)."""
    row = measure_block(heap_block("recursion", (262_144, 32, 262_144), 300_000_000), image, base)
    assert row["gas_used"] > 30_000_000      # the chain ran deep, not a short call
    assert row["heap"] > 32 << 20            # it needs more than half of the old 64 MiB
    assert row["within_bound"] and row["within_rule_bound"] and row["accepted"], row


def looping_caller(calls_gas: int) -> bytes:
    """Code: call HELPER with all but 1/64 of the gas while more than calls_gas is left."""
    return assemble([
        ("LABEL", "loop"),
        ("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", int.from_bytes(HELPER, "big")),
        "GAS", "CALL", "POP",
        "GAS", ("PUSH", calls_gas), "LT", ("PUSHLABEL", "loop"), "JUMPI", "STOP",
    ])  # fmt: skip


def memory_hog(size: int) -> bytes:
    """Code: store `size` bytes of memory and return them all."""
    return assemble([("PUSH", 1), ("PUSH", size - 1), "MSTORE8", ("PUSH", size), ("PUSH", 0), "RETURN"])


def test_returned_frames_give_their_memory_back(image: GuestImage) -> None:
    """Calls one after another, each storing and returning 1 MiB: the heap holds one call's worth."""
    size = 1 << 20
    per_call = 3 * (size // 32) + (size // 32) ** 2 // 512  # the memory cost of one call
    accounts = tuple(sorted([Account(address_of(KEY), balance=10**24), Account(CALLER, code=looping_caller(per_call)),
                             Account(HELPER, code=memory_hog(size))], key=lambda a: a.address))
    state = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)
    peaks = {}
    for calls in (1, 6):
        built = build_chain(state, [[Tx(KEY, CALLER, gas=int(calls * per_call * 1.1) + 100_000)]])
        after, info = Machine().step(built)
        run = measure_heap(image, encode(built))
        assert run.status == "yielded" and run.s_image == encode(after)
        assert info.gas_used > calls * per_call   # every call paid for its megabyte
        peaks[calls] = run.heap_peak
    assert peaks[1] > 2 * size                 # one call's memory and return data are on the heap
    assert peaks[6] - peaks[1] < size // 4     # five more calls add almost nothing


KNOBS = {
    "recursion": st.tuples(st.sampled_from([32, 4_096, 65_536, 262_144]), st.sampled_from([32, 4_096, 65_536]),
                           st.sampled_from([0, 4_096, 65_536, 262_144])),
    "creations": st.tuples(st.sampled_from([64, 4_096, 24_576, 49_152])),
    "logs": st.tuples(st.sampled_from([0, 32, 4_096, 65_536]), st.integers(0, 4)),
    "copies": st.tuples(st.sampled_from([32, 4_096, 65_536, 262_144])),
    "deploys": st.tuples(st.sampled_from([1, 4_096, 24_576])),
    "accounts": st.tuples(st.integers(0, 3)),
    "journal": st.tuples(st.integers(1, 40)),
    "access_list": st.tuples(st.integers(1, 400), st.integers(0, 8)),
    "transient": st.tuples(st.integers(1, 8), st.integers(0, 1)),
}
BLOCKS = st.sampled_from(sorted(KNOBS)).flatmap(lambda family: st.tuples(st.just(family), KNOBS[family]))


def check_block(image: GuestImage, base: int, family: str, knobs: tuple[int, ...], gas: int) -> None:
    """AB leaves A's S' and A's count of live bytes (measure_block raises otherwise), the block is
    accepted (far within the live-byte budget), and its heap is within both derived bounds: by gas,
    and by the count (the rule's, spec §4.9)."""
    row = measure_block(heap_block(family, knobs, gas), image, base)
    assert row["within_bound"] and row["within_rule_bound"], row
    assert row["accepted"] and row["live_over_budget"] < 0.5, row


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=BLOCKS, gas=st.integers(1_000_000, 4_000_000))
def test_heap_hungry_blocks_match_a_within_bound(image: GuestImage, base: int, block: tuple, gas: int) -> None:
    check_block(image, base, block[0], block[1], gas)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=BLOCKS, gas=st.integers(1_000_000, 60_000_000))
def test_heap_hungry_blocks_match_a_within_bound_slow(image: GuestImage, base: int, block: tuple, gas: int) -> None:
    check_block(image, base, block[0], block[1], gas)


def test_bench_heap_names_bad_blocks() -> None:
    """--only refuses an unknown family and a wrong number of knobs with a one-line error."""
    from bench.heap import parse_blocks
    from emulator.errors import SwapvmError

    assert parse_blocks("journal:20,logs:1024:0") == (("journal", (20,)), ("logs", (1024, 0)))
    with pytest.raises(SwapvmError, match="unknown family 'foo'"):
        parse_blocks("foo:1")
    with pytest.raises(SwapvmError, match="logs takes 2 non-negative integer knobs"):
        parse_blocks("logs:1")


def test_bench_heap_reports_one_block(capsys: pytest.CaptureFixture[str]) -> None:
    """`swapvm bench heap --only … --json`: the block's heap, its bound, and the worst figures."""
    import json

    from swapping.cli import main

    assert main(["bench", "heap", "--only", "logs:32:1", "--gas", "1000000", "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    (row,) = report["blocks"]
    assert row["family"] == "logs" and row["gas_used"] > 900_000
    assert 0 < row["heap"] <= row["bound"] and report["worst_heap_per_gas"] == row["heap_per_gas"]
