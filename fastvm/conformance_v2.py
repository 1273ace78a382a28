"""Conformance on S version 2 (spec §6): a test's pre-state world and inbox in a preimage store, each
block through A's export (or another machine over the same store), the final world compared with the
fixture's through the state root, and account by account when the world is in the store.

The final world of A is read back out of the store by walking the state trie from the final root: the
trie is keyed by hashed addresses and slots, so their preimages come from the test (pre- and post-state)
and from the blocks' witnesses (`keys`), which name every address and slot A asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import rlp
from trie import HexaryTrie
from trie.iter import NodeIterator

from emulator.merkle import keccak
from fastvm.codec_v2 import encode_v2
from fastvm.conformance import Stepper, TestResult, TransitionCheck, run_blocks
from fastvm.export_v2 import ExporterV2
from fastvm.fixtures import FixtureTest, initial_state_v2
from fastvm.inspect_state import account_difference_lines, summary_line
from fastvm.machine import StepInfo
from fastvm.preimages import PreimageStore
from fastvm.state import Account
from fastvm.state_v2 import EssentialStateV2
from fastvm.witness import Witness, state_root_of_header
from fastvm.world import state_root_of

EMPTY_CODE_HASH = keccak(b"")
ADDRESS_BYTES, SLOT_BYTES = 20, 32
# A factory of the machine under test over the test's store (the oracle it reads).
MachineFactory = Callable[[PreimageStore], Stepper]


class AStepperV2:
    """Machine A on S version 2: ExporterV2 over the test's store, keeping each block's witness (for the
    AB check) and every address and slot the witnesses name (to read the final world back)."""

    world_in_store = True   # its final world can be read back out of the store

    def __init__(self, store: PreimageStore) -> None:
        self.exporter = ExporterV2(store)
        self.witness: Witness | None = None
        self.addresses: set[bytes] = set()
        self.slots: set[int] = set()

    def step(self, state: EssentialStateV2) -> tuple[EssentialStateV2, StepInfo]:
        """One step of A with its witness (the inbox is never exhausted here: one step per block)."""
        after, info, witness = self.exporter.export(state)
        if info is None:
            raise AssertionError("conformance steps once per inbox block")
        self.witness = witness
        for key in witness.keys:
            if len(key) == ADDRESS_BYTES:
                self.addresses.add(key)
            else:
                self.slots.add(int.from_bytes(key, "big"))
        return after, info


def run_test_v2(test: FixtureTest, checks: Sequence[TransitionCheck] = (),
                machine: MachineFactory | None = None, label: str = "A") -> TestResult:
    """Run a machine (A unless given) over every block of a test on S version 2; a crash is a failed test.

    The store (in memory) holds the pre-state world and the inbox; `checks` see each block's witness
    from A. A's final world is compared with the fixture's account by account; another machine's (AB
    alone writes no world into the store) by its state root only."""
    start = time.perf_counter()
    try:
        store = PreimageStore()
        state = initial_state_v2(test, store)
        stepper = machine(store) if machine is not None else AStepperV2(store)
        image = encode_v2(state) if checks else b""

        def final(after: EssentialStateV2) -> tuple[str, tuple[str, ...]]:
            return final_problem_v2(test, after, store, stepper, label)

        return run_blocks(test, state, image, checks, stepper, label, final, start)
    except Exception as exc:  # noqa: BLE001 - a crash must be reported per test, not end the whole run
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return TestResult(test.name, test.path, False, reason, False, len(test.blocks),
                          time.perf_counter() - start)


def expected_root(test: FixtureTest) -> bytes | None:
    """The post-state root the fixture gives: of its postState, or its postStateHash."""
    if test.post is not None:
        return state_root_of(test.post)
    return test.post_state_hash


def final_problem_v2(test: FixtureTest, state: EssentialStateV2, store: PreimageStore, stepper: Stepper,
                     label: str) -> tuple[str, tuple[str, ...]]:
    """What is wrong with the final S ("" if its world and last hash match the fixture's), and every
    differing account field and slot when the stepper's world is in the store (A's run, or AB's with
    its hints kept: `world_in_store`)."""
    root, wanted = state_root_of_header(state.parent_header), expected_root(test)
    if wanted is not None and root != wanted:
        in_store = getattr(stepper, "world_in_store", False)
        if not in_store or test.post is None:
            unavailable = "" if in_store else (
                f": per-account differences are not available for {label} alone (its world is in no store)")
            return (f"post-state root 0x{root.hex()[:16]}… differs from the fixture's 0x{wanted.hex()[:16]}…"
                    f"{unavailable}"), ()
        addresses = {a.address for a in (*test.pre, *test.post)} | getattr(stepper, "addresses", set())
        slots = {k for a in (*test.pre, *test.post) for k, _ in a.storage} | getattr(stepper, "slots", set())
        accounts, unnamed = world_in_store(store, root, addresses, slots)
        differences = tuple(account_difference_lines(accounts, test.post, (label, "the fixture"))) + unnamed
        return f"post-state differs: {summary_line(differences)}", differences
    last_hash = keccak(state.parent_header)
    if last_hash != test.last_block_hash:
        return f"last block hash 0x{last_hash.hex()[:16]}… differs from lastblockhash", ()
    return "", ()


def world_in_store(store: PreimageStore, root: bytes, addresses: Iterable[bytes],
                   slots: Iterable[int]) -> tuple[tuple[Account, ...], tuple[str, ...]]:
    """The accounts of the world at root, read from the store; the trie's hashed keys are named by the
    given addresses and slots, and a key none of them hashes to is one line of the second result."""
    names = {keccak(address): address for address in addresses}
    slot_names = {keccak(slot.to_bytes(SLOT_BYTES, "big")): slot for slot in slots}
    accounts, unnamed = [], []
    for hashed, encoded in NodeIterator(HexaryTrie(store, root)).items():
        address = names.get(hashed)
        where = f"account 0x{address.hex()}" if address else f"the account at hashed address 0x{hashed.hex()}"
        nonce, balance, storage_root, code_hash = rlp.decode(encoded)
        storage = []
        for hashed_slot, value in NodeIterator(HexaryTrie(store, storage_root)).items():
            slot = slot_names.get(hashed_slot)
            if slot is None:
                unnamed.append(f"{where}: a storage slot at hashed key 0x{hashed_slot.hex()} that no "
                               "address or slot of the test names")
                continue
            storage.append((slot, rlp.decode(value, sedes=rlp.sedes.big_endian_int)))
        if address is None:
            unnamed.append(f"{where}: an account that no address of the test or its witnesses names")
            continue
        code = b"" if code_hash == EMPTY_CODE_HASH else store.preimage(code_hash)
        accounts.append(Account(address, int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), code,
                                tuple(sorted(storage))))
    accounts.sort(key=lambda account: account.address)
    return tuple(accounts), tuple(unnamed)
