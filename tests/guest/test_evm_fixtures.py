"""The guest's EVM block executor, built natively with sanitizers, against machine A on the fixtures.

For every block of a BlockchainTests test, S is encoded by fastvm, A applies the block, and the native
build of the guest (guest/tests/evm/run_block_host.c over evm_window_step) applies it to the same image:
the two images of S' must be byte-equal. The default run checks a small sample; the whole quick fixture
set (one test per fixture test) runs with `-m guest_native` (it is also marked slow: about two minutes
on two cores, most of it machine A).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evm_native import FIXTURES, guest_run, guest_step

from fastvm.builder import genesis_header
from fastvm.codec import decode, encode
from fastvm.fixtures import FixtureTest, fixture_files, initial_state, load_file
from fastvm.machine import Machine
from fastvm.state import Fork

# A quick default sample: plain transfers, EIP-1559 fees, withdrawals, logs, reverts, creates,
# self-destructs, BLOCKHASH, precompiles, an invalid block.
SAMPLE = (
    "ValidBlocks/bcValidBlockTest/SimpleTx.json",
    "ValidBlocks/bcExample/shanghaiExample.json",
    "ValidBlocks/bcEIP1559/transType.json",
    "ValidBlocks/bcStateTests/logRevert.json",
    "ValidBlocks/bcStateTests/BLOCKHASH_Bounds.json",
    "ValidBlocks/bcValidBlockTest/RecallSuicidedContract.json",
    "GeneralStateTests/stSStoreTest/sstoreGas.json",
    "GeneralStateTests/stStaticCall/static_CallEcrecover2.json",
    "InvalidBlocks/bcEIP1559/badBlocks.json",
    "InvalidBlocks/bc4895-withdrawals/accountInteractions.json",
)


def first_difference(a_image: bytes, g_image: bytes) -> str:
    """A readable first difference between A's S' and the guest's."""
    try:
        g = decode(g_image)
    except Exception as exc:  # noqa: BLE001 - any decode failure is the finding
        return f"the guest's image does not decode: {exc}"
    a = decode(a_image)
    if a.outcome != g.outcome:
        return f"outcome: A {a.outcome.status.name}/{a.outcome.reason.name}, guest {g.outcome.status.name}/" \
               f"{g.outcome.reason.name}"
    mine, theirs = {x.address: x for x in a.accounts}, {x.address: x for x in g.accounts}
    for address in sorted(set(mine) | set(theirs)):
        if mine.get(address) != theirs.get(address):
            return f"account 0x{address.hex()} differs"
    return "images differ outside outcome and accounts"


def check_test(test: FixtureTest, work: Path) -> None:
    """Every block of one fixture test: the guest's S' equals A's, byte for byte."""
    machine = Machine()
    state = initial_state(test)
    image = encode(state)
    for index in range(len(test.blocks)):
        state, info = machine.step(state)
        got = guest_step(image, work)
        assert got == info.image, f"block {index + 1}: {first_difference(info.image, got)}"
        image = info.image


def collect_fixture_tests(paths: list[Path]) -> Iterator[tuple[str, FixtureTest]]:
    """(id, test) for every test of the given files or folders."""
    for path in fixture_files(paths):
        rel = path.relative_to(FIXTURES).as_posix()
        for test in load_file(path):
            yield f"{rel}::{test.name}", test


SAMPLE_TESTS = list(collect_fixture_tests([FIXTURES / p for p in SAMPLE])) if FIXTURES.is_dir() else []
ALL_TESTS = list(collect_fixture_tests([FIXTURES])) if FIXTURES.is_dir() else []


@pytest.mark.parametrize("test", [t for _, t in SAMPLE_TESTS], ids=[i for i, _ in SAMPLE_TESTS])
def test_sample_matches_machine_a(test: FixtureTest, tmp_path: Path) -> None:
    check_test(test, tmp_path)


@pytest.mark.slow
@pytest.mark.guest_native
@pytest.mark.parametrize("test", [t for _, t in ALL_TESTS], ids=[i for i, _ in ALL_TESTS])
def test_fixture_matches_machine_a(test: FixtureTest, tmp_path: Path) -> None:
    check_test(test, tmp_path)


def test_idle_step_leaves_state_unchanged(tmp_path: Path) -> None:
    test = SAMPLE_TESTS[0][1]
    machine = Machine()
    state = initial_state(test)
    for _ in test.blocks:
        state, _info = machine.step(state)
    image = encode(state)  # cursor == len(inbox): A's step is a no-op
    assert encode(machine.step(state)[0]) == image
    assert guest_step(image, tmp_path) == image


def test_unimplemented_fork_is_left_unchanged(tmp_path: Path) -> None:
    test = SAMPLE_TESTS[0][1]
    state = initial_state(test)
    parent = genesis_header(Fork.PRAGUE, state.accounts)
    prague = encode(state.with_changes(fork=Fork.PRAGUE, parent_header=parent))
    code, out = guest_run(prague, tmp_path)
    assert (code, out) == (3, prague)


def test_window_without_a_state_is_left_unchanged(tmp_path: Path) -> None:
    garbage = b"\x02" + bytes(15)  # version 2: not an S image
    assert guest_run(garbage, tmp_path) == (2, garbage[:16])
