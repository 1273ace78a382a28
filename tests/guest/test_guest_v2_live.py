"""The live-byte rule (spec §4.9, reason 9) on S version 2: the same count as machine A, the same refusal.

Version 2's count adds, per account and slot first touched in a block, the nodes on its lookup path
in the pre-state trie, and per code first read in the block its length (spec §4.9, "S version 2's
heap"); the warming of the precompiles and of an access list's entries is no touch. Blocks of cold
account accesses, cold slot writes and code loads (CREATE2-deployed contracts
called cold) run on A at version 2 and on the small-budget guest over S version 2 with A's witness as
the oracle: the counts are equal; for each counter a block just within the small budget and one just
past it (bisection on A's version 2 count) are accepted and refused alike on A, AB and the small-budget
native guest, the refused one leaving S with the cursor advanced and outcome [2, 9]. On every 4th file
of the quick sample (every file under -m slow) A's count of each block is the guest's. Blocks of an
access list's entries and precompiles, touched or not, count on version 2 exactly the version 1 count
and the paths of what they touch, on A and AB alike.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from evm_native import preimages_file
from test_evm_live import SMALL, UNLIMITED, small_image, small_native  # noqa: F401 (a fixture)
from v2_ab import WitnessOracle

from bench.heap_blocks import KEY, TARGET, heap_block
from fastvm import live
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec_v2 import encode_v2
from fastvm.evmasm import Instruction, assemble
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.fixtures import initial_state, load_file
from fastvm.live_trie import PathCounter
from fastvm.machine import Machine
from fastvm.preimages import PreimageStore
from fastvm.state import Account, EssentialState, Fork, Outcome, Reason, Status
from fastvm.witness import state_root_of_header
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


# The touch rule (spec §4.9, term 5): accounts D0 (BALANCE'd), D1 (CALLed, no code), D2 (never touched)
# among fillers that give the state trie some depth; TARGET holds slots 1 and 2.
OTHERS = tuple((0xD0 << 152 | i).to_bytes(20, "big") for i in range(3))
FILLERS = tuple((0xE0 << 152 | i).to_bytes(20, "big") for i in range(48))
COINBASE = bytes(20)   # build_chain's
IDENTITY = (4).to_bytes(20, "big")


def _push(address: bytes) -> Instruction:
    """PUSH an address."""
    return ("PUSH", int.from_bytes(address, "big"))


def _call(address: bytes, op: str = "CALL") -> list[Instruction]:
    """A call of `address` with no value, input or output, its status dropped."""
    value: list[Instruction] = [("PUSH", 0)] if op == "CALL" else []
    return [("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", 0), *value, _push(address), "GAS", op, "POP"]


TOUCHES = assemble([_push(OTHERS[0]), "BALANCE", "POP", _push(OTHERS[0]), "BALANCE", "POP", *_call(OTHERS[1]),
                    ("PUSH", 1), "SLOAD", "POP", ("PUSH", 1), "SLOAD", "POP", "STOP"])
CALLS_IDENTITY = assemble([*_call(IDENTITY, "STATICCALL"), "STOP"])


AccessList = tuple[tuple[bytes, tuple[int, ...]], ...]


def touch_block(code: bytes, access: AccessList) -> tuple[EssentialState, int]:
    """A Shanghai block of one transaction to TARGET (running `code`) with `access`; A's version 1 count."""
    people = [Account(address_of(KEY), balance=10**24), Account(TARGET, code=code, storage=((1, 1), (2, 2))),
              *(Account(a, balance=1) for a in OTHERS + FILLERS)]
    pre = tuple(sorted(people, key=lambda account: account.address))
    state = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, pre), accounts=pre)
    machine = Machine(live_budget=UNLIMITED)
    tx = Tx(KEY, TARGET, gas=200_000, max_fee=10**9, access_list=access)
    return build_chain(state, [[tx]], machine, coinbase=COINBASE), machine.live_total


def v2_extra(code: bytes, access: AccessList, tmp_path: Path) -> tuple[int, PathCounter]:
    """The block's version 2 count less its version 1 count, equal on A and AB; and its pre-state's paths."""
    state, v1 = touch_block(code, access)
    (before, _after, info, witness), total = export_v2(state, UNLIMITED, tmp_path)
    assert info.status == Status.ACCEPTED
    run = measure_heap(guest_image(), encode_v2(before), oracle=WitnessOracle(witness.preimages()))
    assert run.status == "yielded", (run.status, run.cause)
    assert run.live_total == total
    store = PreimageStore(tmp_path / "preimages.sqlite")
    return total - v1, PathCounter(store, state_root_of_header(before.parent_header))


def expected_extra(paths: PathCounter, code: bytes, touched: tuple[bytes, ...],
                   slots: tuple[int, ...] = ()) -> int:
    """Version 2's terms: the paths of the transaction's own accounts (sender, TARGET, coinbase) and of
    `touched`, of TARGET's `slots`, and the read of TARGET's code."""
    accounts = {address_of(KEY), TARGET, COINBASE, *touched}
    nodes = sum(paths.account(a) for a in accounts) + sum(paths.slot(TARGET, k) for k in slots)
    code_read = live.LIVE_CODE_READ + (live.LIVE_CODE_READ_EIGHTHS * len(code) + 7) // 8
    return live.LIVE_TRIE_NODE * nodes + code_read


ACCESS_ALL = ((OTHERS[0], ()), (OTHERS[1], (7,)), (OTHERS[2], (1, 2)), (TARGET, (1, 2)))


def test_an_access_list_alone_charges_no_path(tmp_path: Path) -> None:
    """Entries nothing touches (accounts, their slots, TARGET's slots) count their cold accesses only."""
    code = assemble(["STOP"])
    extra, paths = v2_extra(code, ACCESS_ALL, tmp_path / "listed")
    assert extra == expected_extra(paths, code, ())
    bare, _ = v2_extra(code, (), tmp_path / "bare")
    assert extra == bare


def test_listed_items_are_charged_once_at_their_touch(tmp_path: Path) -> None:
    """An account BALANCE'd twice, one CALLed and a slot SLOADed twice, all listed: each path once."""
    extra, paths = v2_extra(TOUCHES, ACCESS_ALL, tmp_path / "listed")
    assert extra == expected_extra(paths, TOUCHES, OTHERS[:2], (1,))
    assert v2_extra(TOUCHES, (), tmp_path / "bare")[0] == extra


def test_precompiles_are_charged_when_called(tmp_path: Path) -> None:
    """A transaction warms every precompile but only the one it calls (identity) counts a path."""
    code = assemble(["STOP"])
    extra, paths = v2_extra(code, (), tmp_path / "none")
    assert extra == expected_extra(paths, code, ())
    extra, paths = v2_extra(CALLS_IDENTITY, (), tmp_path / "called")
    assert extra == expected_extra(paths, CALLS_IDENTITY, (IDENTITY,))
    assert paths.account(IDENTITY) > 0
