"""A block re-run on its witness alone gives A's outcome; a witness short of any entry stops with that key.

Every block of every test of the quick fixture sample (and, under -m slow, of a deterministic sample
of the full Shanghai set) is applied by A over the preimage store, recording; A's S' must be the one
the plain machine computes, and the block re-run on the witness alone must give the same outcome
(status, reason, gas used, state root, receipts root, bloom, block hash). Hand-built blocks make
deletions collapse branch nodes, so the witness must hold a node no accessed key's path contains.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.evmasm import assemble
from fastvm.fixtures import FixtureTest, initial_state, load_file
from fastvm.machine import Machine
from fastvm.preimages import MissingPreimage, PreimageStore
from fastvm.state import Account, EssentialState, Fork, Status
from fastvm.witness import RecordingMachine, Witness, replay

SHARED = Path(__file__).resolve().parents[3] / "shared"
QUICK = sorted((SHARED / "fixtures" / "ethereum-tests" / "BlockchainTests").rglob("*.json"))
SHANGHAI = sorted((SHARED / "conformance" / "shanghai" / "BlockchainTests").rglob("*.json"))
SLOW_STRIDE = 40        # every 40th file of the full Shanghai set (67 files)
REMOVAL_STRIDE = 10     # the removal check runs on every 10th file of the quick sample
REMOVALS_PER_BLOCK = 6


def run_with_witnesses(test: FixtureTest) -> list[tuple[EssentialState, EssentialState, Witness]]:
    """(S before, S' after, witness) of every block, checked against the plain machine and the replay."""
    recorded, plain = initial_state(test), initial_state(test)
    machine, reference = RecordingMachine(PreimageStore()), Machine()
    steps = []
    for index in range(len(test.blocks)):
        before = recorded
        recorded, info, witness = machine.export(recorded)
        plain, plain_info = reference.step(plain)
        assert recorded == plain, f"block {index}: S' differs from the plain machine's"
        again, again_info = replay(before, witness)
        assert again.outcome == recorded.outcome, f"block {index}: the witness-only run differs"
        assert (again_info.status, again_info.reason, again_info.detail) == (
            info.status, info.reason, info.detail), f"block {index}"
        steps.append((before, recorded, witness))
    return steps


@pytest.mark.parametrize("path", QUICK, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_quick_sample_block_runs_on_its_witness_alone(path: Path) -> None:
    for test in load_file(path):
        run_with_witnesses(test)


def assert_each_removal_names_its_key(before: EssentialState, witness: Witness, limit: int | None) -> int:
    """Drop witness entries (all, or `limit` spread evenly) one at a time: each must stop the run, named."""
    preimages = witness.preimages()
    needed = [keccak(value) for value in (*witness.state, *witness.codes)]
    if limit is not None and len(needed) > limit:
        needed = needed[:: len(needed) // limit][:limit]
    for key in needed:
        short = {k: v for k, v in preimages.items() if k != key}
        with pytest.raises(MissingPreimage) as raised:
            replay(before, short)
        assert raised.value.key == key
    return len(needed)


@pytest.mark.parametrize("path", QUICK[::REMOVAL_STRIDE], ids=lambda p: p.stem)
def test_a_witness_short_of_one_entry_stops_naming_it(path: Path) -> None:
    for test in load_file(path):
        for before, _after, witness in run_with_witnesses(test):
            assert_each_removal_names_its_key(before, witness, REMOVALS_PER_BLOCK)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHANGHAI[::SLOW_STRIDE], ids=lambda p: p.stem)
def test_a_shanghai_sample_runs_on_witnesses_alone(path: Path) -> None:
    for test in load_file(path):
        run_with_witnesses(test)


# -- hand-built deletions ------------------------------------------------------------------------------
SENDER_KEY = keccak(b"witness test sender")
SENDER = address_of(SENDER_KEY)
COINBASE = bytes(20)
SELFDESTRUCT_TO_CALLER = bytes.fromhex("33ff")            # CALLER SELFDESTRUCT
CLEAR_SLOT_ONE = bytes.fromhex("5f600155")                # PUSH0 PUSH1 1 SSTORE: slot 1 := 0


def nibble(data: bytes) -> int:
    """The first nibble of keccak(data): the state trie's root branch a key hangs under."""
    return keccak(data)[0] >> 4


def address(seed: int) -> bytes:
    """A deterministic address."""
    return keccak(b"witness test address" + seed.to_bytes(4, "big"))[:20]


def pair_alone(taken: set[int]) -> tuple[bytes, bytes]:
    """Two addresses under one root nibble no other account uses, differing in their second nibble."""
    seed = 0
    while nibble(address(seed)) in taken:
        seed += 1
    first = address(seed)
    other = seed + 1
    while nibble(address(other)) != nibble(first) or keccak(address(other))[0] == keccak(first)[0]:
        other += 1
    return first, address(other)


def world_with(target: Account, sibling: Account) -> EssentialState:
    """S0 on Shanghai: a funded sender, the target and its sibling under their own branch."""
    accounts = tuple(sorted((Account(SENDER, balance=10**20), target, sibling), key=lambda a: a.address))
    return EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)


def path_nodes(preimages: dict[bytes, bytes], root: bytes, key: bytes) -> set[bytes]:
    """The keys of the nodes on the path of `key` in the trie at root."""
    seen: set[bytes] = set()

    class Reading(dict):
        def __getitem__(self, node_key: bytes) -> bytes:
            seen.add(node_key)
            return preimages[node_key]

    HexaryTrie(Reading(), root).get(key)
    return seen


def record_single_block(state: EssentialState) -> tuple[Witness, RecordingMachine, EssentialState]:
    """Record the witness of S's next block, checking it was accepted and replays alone."""
    machine = RecordingMachine(PreimageStore())
    after, info, witness = machine.export(state)
    assert info.status == Status.ACCEPTED, info.detail
    again, _ = replay(state, witness)
    assert again.outcome == after.outcome
    return witness, machine, after


def taken_nibbles() -> set[int]:
    """Root nibbles of the accounts every block touches."""
    return {nibble(SENDER), nibble(COINBASE)}


@pytest.mark.parametrize("case", ["selfdestruct", "eip161-touch"])
def test_an_account_deletion_reads_the_sibling_it_collapses_into(case: str) -> None:
    target, sibling = pair_alone(taken_nibbles())
    if case == "selfdestruct":
        target_account = Account(target, balance=5, code=SELFDESTRUCT_TO_CALLER, storage=((1, 7), (2, 9)))
        tx = Tx(SENDER_KEY, target, gas=100_000)
    else:
        target_account = Account(target)   # empty: a zero-value call touches it, EIP-161 deletes it
        tx = Tx(SENDER_KEY, target, value=0)
    state = build_chain(world_with(target_account, Account(sibling, balance=1)), [[tx]])
    witness, machine, after = record_single_block(state)
    assert target not in {a.address for a in after.accounts}
    assert sibling not in machine.view.access.addresses    # never asked for ...
    preimages = witness.preimages()
    root = rlpx.decode(state.parent_header)[3]
    on_paths = set().union(*(path_nodes(preimages, root, keccak(a)) for a in machine.view.access.addresses))
    sibling_leaf = path_nodes(machine.store, root, keccak(sibling)) - on_paths
    assert sibling_leaf and sibling_leaf <= set(preimages)   # ... yet its leaf is in the witness
    assert assert_each_removal_names_its_key(state, witness, None) == len(witness.state) + len(witness.codes)


def test_a_cleared_slot_reads_the_slot_its_trie_collapses_into() -> None:
    contract = address(10_000)
    first = nibble((1).to_bytes(32, "big"))
    slots = (1, next(s for s in range(2, 99) if nibble(s.to_bytes(32, "big")) != first))
    account = Account(contract, code=CLEAR_SLOT_ONE, storage=tuple((s, 0x55) for s in slots))
    state = build_chain(world_with(account, Account(address(10_001), balance=1)),
                        [[Tx(SENDER_KEY, contract, gas=100_000)]])
    witness, machine, after = record_single_block(state)
    assert dict(next(a for a in after.accounts if a.address == contract).storage) == {slots[1]: 0x55}
    assert machine.view.access.slots[contract] == {1}
    storage_root = next(a for a in _leaves(machine.store, state) if a[0] == contract)[1]
    other_leaf = path_nodes(machine.store, storage_root, keccak(slots[1].to_bytes(32, "big")))
    assert other_leaf - path_nodes(machine.store, storage_root, keccak((1).to_bytes(32, "big")))
    assert other_leaf <= set(witness.preimages())
    assert keccak(CLEAR_SLOT_ONE) in witness.preimages()
    assert assert_each_removal_names_its_key(state, witness, None) == len(witness.state) + len(witness.codes)


def _leaves(store: PreimageStore, state: EssentialState) -> list[tuple[bytes, bytes]]:
    """(address, storage root) of every account of S, read from the stored trie."""
    root = rlpx.decode(state.parent_header)[3]
    trie = HexaryTrie(store, root)
    return [(a.address, rlpx.decode(trie.get(keccak(a.address)))[2]) for a in state.accounts]


def test_blockhash_brings_its_ancestor_headers() -> None:
    """A block that asks BLOCKHASH of an older block carries every header back to it, parent first."""
    reader = address(20_000)
    code = assemble([("PUSH", 1), "BLOCKHASH", ("PUSH", 0), "SSTORE", "STOP"])
    accounts = tuple(sorted((Account(SENDER, balance=10**20), Account(reader, code=code)),
                            key=lambda a: a.address))
    state = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)
    blocks = [[Tx(SENDER_KEY, address(1), value=1)], [], [Tx(SENDER_KEY, reader, gas=80_000)]]
    state = build_chain(state, blocks)
    machine = RecordingMachine(PreimageStore())
    for _ in range(3):
        before = state
        state, info, witness = machine.export(state)
        assert info.status == Status.ACCEPTED
    numbers = [int.from_bytes(rlpx.decode(h)[8], "big") for h in witness.headers]
    assert numbers == [2, 1] and witness.headers[0] == before.parent_header
    assert keccak(witness.headers[1]) == rlpx.decode(witness.headers[0])[0]


# -- random storage updates: sets and clears in any mix --------------------------------------------------
STORE_PAIRS = assemble([            # for each (slot, value) word pair of the calldata: SSTORE(slot, value)
    ("PUSH", 0), ("LABEL", "loop"), "CALLDATASIZE", "DUP2", "LT", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
    "DUP1", ("PUSH", 32), "ADD", "CALLDATALOAD", "DUP2", "CALLDATALOAD", "SSTORE",
    ("PUSH", 64), "ADD", ("PUSHLABEL", "loop"), "JUMP", ("LABEL", "end"), "STOP",
])
SLOTS = st.integers(0, 40)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(SLOTS, st.integers(1, 2**256 - 1), max_size=12),
       st.lists(st.tuples(SLOTS, st.one_of(st.just(0), st.integers(1, 2**256 - 1))), min_size=1, max_size=10))
def test_random_sets_and_clears_of_a_storage_trie_run_on_their_witness(
        before: dict[int, int], writes: list[tuple[int, int]]) -> None:
    contract = address(30_000)
    account = Account(contract, code=STORE_PAIRS, storage=tuple(sorted(before.items())))
    calldata = b"".join(slot.to_bytes(32, "big") + value.to_bytes(32, "big") for slot, value in writes)
    tx = Tx(SENDER_KEY, contract, gas=2_000_000, data=calldata)
    state = build_chain(world_with(account, Account(address(30_001), balance=1)), [[tx]])
    witness, _machine, after = record_single_block(state)
    expected = dict(before)
    for slot, value in writes:
        expected[slot] = value
    stored = dict(next(a for a in after.accounts if a.address == contract).storage)
    assert stored == {slot: value for slot, value in expected.items() if value}
    assert assert_each_removal_names_its_key(state, witness, None) == len(witness.state) + len(witness.codes)
