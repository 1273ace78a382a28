"""The live-byte rule (spec §4.9, reason 9) on S version 2: the same count as machine A, the same refusal.

Version 2's count adds, per account and slot first made warm in a block, the nodes on its lookup path
in the pre-state trie, and per code first read in the block its length (spec §4.9, "S version 2's
heap"). Blocks of cold account accesses, cold slot writes and code loads (CREATE2-deployed contracts
called cold) run on A at version 2 and on the small-budget guest over S version 2 with A's witness as
the oracle: the counts are equal; for each counter a block just within the small budget and one just
past it (bisection on A's version 2 count) are accepted and refused alike on A, AB and the small-budget
native guest, the refused one leaving S with the cursor advanced and outcome [2, 9]. On every 4th file
of the quick sample (every file under -m slow) A's count of each block is the guest's.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from evm_native import preimages_file
from test_evm_live import SMALL, UNLIMITED, small_image, small_native  # noqa: F401 (a fixture)
from v2_ab import WitnessOracle

from bench.heap_blocks import heap_block
from fastvm import live
from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from fastvm.preimages import PreimageStore
from fastvm.state import EssentialState, Outcome, Reason, Status
from swapping.guest_image import GuestImage, guest_image
from swapping.heap_probe import measure_heap
from toolchain.build import ROOT

QUICK = sorted((ROOT.parent / "shared" / "fixtures" / "ethereum-tests"
                / "BlockchainTests").rglob("*.json"))
STRIDE = 4
WITHDRAWALS = sorted((ROOT.parent / "shared" / "conformance" / "shanghai" / "BlockchainTests")
                     .rglob("*4895*/*.json"))
CANCUN = sorted((ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests"
                 / "Cancun").rglob("*.json"))


@pytest.mark.parametrize("path", QUICK[::STRIDE], ids=lambda p: p.stem)
def test_quick_sample_counts_are_equal(path: Path, tmp_path: Path) -> None:
    """Every block of the file's first test: A's version 2 count is the guest's evm_live_total."""
    counts_are_equal(path, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("path", QUICK, ids=lambda p: p.stem)
def test_quick_set_counts_are_equal(path: Path, tmp_path: Path) -> None:
    """The same on every file of the quick sample."""
    counts_are_equal(path, tmp_path)


@pytest.mark.skipif(not WITHDRAWALS, reason="the public Shanghai set (../shared/conformance) is absent")
@pytest.mark.parametrize("path", WITHDRAWALS, ids=lambda p: p.stem)
def test_withdrawal_counts_are_equal(path: Path, tmp_path: Path) -> None:
    """Withdrawals' recipients count as first warm accesses on both machines alike (bc4895-withdrawals)."""
    counts_are_equal(path, tmp_path)


@pytest.mark.skipif(not CANCUN, reason="the public Cancun set (../shared/conformance) is absent")
@pytest.mark.parametrize("path", CANCUN, ids=lambda p: p.stem)
def test_cancun_counts_are_equal(path: Path, tmp_path: Path) -> None:
    """Cancun's blocks (the EIP-4788 system call reads the beacon roots code): counts equal."""
    counts_are_equal(path, tmp_path)


def counts_are_equal(path: Path, tmp_path: Path) -> None:
    """Every block of the file's first test on A and AB (A's witness as the oracle): equal S', equal count."""
    test = load_file(path)[0]
    store = PreimageStore(tmp_path / "preimages.sqlite")
    state = to_version_2(initial_state(test), store)
    exporter = ExporterV2(store)
    image = guest_image()
    while state.cursor < state.inbox.length:
        after, _info, witness = exporter.export(state)
        run = measure_heap(image, encode_v2(state), oracle=WitnessOracle(witness.preimages()))
        assert run.status == "yielded", (run.status, run.cause)
        assert run.s_image == encode_v2(after)
        assert run.live_total == exporter.machine.live_total, f"{test.name} block {state.cursor}"
        state = after


# Per counter: from an integer, a family of bench/heap_blocks.py, its knobs and its transaction's gas;
# and an integer below and one above the small budget.
COUNTERS_V2 = {
    "cold accesses": (lambda gas: ("accounts", (1,), gas), 1_000_000, 16_000_000),
    "journal": (lambda gas: ("journal", (20,), gas), 2_000_000, 3_200_000),
    "code reads": (lambda n: ("code_reads", (n, 24_576), 10_000_000), 4, 60),
    "cold slots": (lambda n: ("slot_reads", (n,), 10_000_000), 10, 600),
}


def export_v2(state: EssentialState, budget: int, folder: Path) -> tuple[tuple, int]:
    """A on version 2 at `budget` over a fresh store: (S, S', info, witness) and the block's count."""
    folder.mkdir(parents=True, exist_ok=True)
    store = PreimageStore(folder / "preimages.sqlite")
    before = to_version_2(state, store)
    exporter = ExporterV2(store, live_budget=budget)
    after, info, witness = exporter.export(before)
    return (before, after, info, witness), exporter.machine.live_total


def v2_count(counter: str, n: int) -> tuple[EssentialState, int]:
    """The counter's block of integer n and A's version 2 count of it (no budget)."""
    family, knobs, gas = COUNTERS_V2[counter][0](n)
    state = heap_block(family, knobs, gas, Machine(live_budget=UNLIMITED)).state
    with tempfile.TemporaryDirectory() as folder:
        return state, export_v2(state, UNLIMITED, Path(folder))[1]


def agree_v2(state: EssentialState, image: GuestImage, tmp_path: Path, name: str) -> tuple[Status, int]:
    """A at the small budget and AB on version 2 count the same live bytes and leave the same S', which the
    small-budget native guest leaves too."""
    (before, after, info, _), total = export_v2(state, SMALL, tmp_path / name)
    (_b, _a, _i, witness), _ = export_v2(state, UNLIMITED, tmp_path / f"{name}-witness")
    run = measure_heap(image, encode_v2(before), oracle=WitnessOracle(witness.preimages()))
    assert run.status == "yielded", (run.status, run.cause)
    assert run.live_total == total
    if info.status == Status.REJECTED:
        assert info.reason == Reason.LIVE_BUDGET
        assert after == before.with_changes(cursor=before.cursor + 1,
                                            outcome=Outcome.rejected(Reason.LIVE_BUDGET))
    assert run.s_image == encode_v2(after)
    work = tmp_path / f"{name}-native"
    work.mkdir()
    (work / "in").write_bytes(encode_v2(before))
    oracle = preimages_file(witness.preimages().values(), work / "preimages")
    done = subprocess.run([str(small_native()), str(work / "in"), str(work / "out"), str(oracle)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (work / "out").read_bytes() == encode_v2(after)
    return info.status, total


def test_version_2_counts_more_than_version_1() -> None:
    """A block of cold accounts counts its lookup paths on version 2 only (LIVE_TRIE_NODE each)."""
    machine = Machine(live_budget=UNLIMITED)
    heap_block("accounts", (1,), 1_000_000, machine)
    _, total = v2_count("cold accesses", 1_000_000)
    assert total - machine.live_total >= live.LIVE_TRIE_NODE * 10


@pytest.mark.parametrize("counter", sorted(COUNTERS_V2))
def test_crossing_the_budget_on_version_2(small_image: GuestImage, counter: str,  # noqa: F811
                                          tmp_path: Path) -> None:
    _make, low, high = COUNTERS_V2[counter]
    assert v2_count(counter, low)[1] <= SMALL < v2_count(counter, high)[1]
    while high - low > max(1, low // 50):
        middle = (low + high) // 2
        if v2_count(counter, middle)[1] <= SMALL:
            low = middle
        else:
            high = middle
    status, total = agree_v2(v2_count(counter, low)[0], small_image, tmp_path, "below")
    assert status == Status.ACCEPTED and total <= SMALL
    status, total = agree_v2(v2_count(counter, high)[0], small_image, tmp_path, "above")
    assert status == Status.REJECTED and total > SMALL
