"""Deletions on S version 2: AB equals A with A's witness alone, and the guest reads the collapsed sibling.

A deletion that leaves a trie branch with one child merges the branch with that child, so the new root
needs a node on no accessed key's path (spec §6.5): here the guest's partial trie must read exactly such
a node, and find it in A's witness. Cases: SELFDESTRUCT of a pre-existing account (Shanghai), an
account created and destroyed in one transaction over a pre-existing balance-only account (Cancun,
EIP-6780), an EIP-161 deletion of a touched empty account, a slot cleared to zero, and an account
re-created (CREATE2) after its destruction, whose storage must start empty.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from trie import HexaryTrie
from v2_ab import assert_same, check_block

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.preimages import PreimageStore
from fastvm.state import Account, EssentialState, Fork
from swapping.guest_image import GuestImage, guest_image

SENDER_KEY = keccak(b"guest v2 deletions sender")
SENDER = address_of(SENDER_KEY)
COINBASE = bytes(20)
FACTORY = keccak(b"guest v2 factory")[:20]
SELFDESTRUCT_TO_CALLER = bytes.fromhex("33ff")              # CALLER SELFDESTRUCT
CLEAR_SLOT_ONE = bytes.fromhex("5f600155")                  # PUSH0 PUSH1 1 SSTORE
# CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY; PUSH0 CALLDATASIZE PUSH0 PUSH0 CREATE2 (salt 0, the calldata as
# init code); POP STOP
CREATE2_CALLDATA = bytes.fromhex("365f5f37" "5f365f5ff5" "5000")
# init code: slot 4 := SLOAD(1) + 1, slot 2 := 0x66 (no code deployed)
RECREATE_INIT = bytes.fromhex("600154600101600455" "6066600255" "00")


def nibble(data: bytes) -> int:
    """The first nibble of keccak(data): the root branch of the state trie a key hangs under."""
    return keccak(data)[0] >> 4


def create2_address(salt: int, init: bytes) -> bytes:
    """The address FACTORY's CREATE2 gives init with salt (EIP-1014)."""
    return keccak(b"\xff" + FACTORY + salt.to_bytes(32, "big") + keccak(init))[12:]


def sibling_of(target: bytes) -> bytes:
    """An address under the target's root nibble whose first byte differs: the two share one branch."""
    seed = 0
    while True:
        other = keccak(b"guest v2 sibling" + seed.to_bytes(4, "big"))[:20]
        if nibble(other) == nibble(target) and keccak(other)[0] != keccak(target)[0]:
            return other
        seed += 1


def free_address(seed: int, taken: set[int]) -> bytes:
    """A deterministic address under a root nibble none of `taken` uses."""
    while True:
        candidate = keccak(b"guest v2 address" + seed.to_bytes(4, "big"))[:20]
        if nibble(candidate) not in taken:
            return candidate
        seed += 1


TAKEN = {nibble(SENDER), nibble(COINBASE), nibble(FACTORY)}


def world(fork: Fork, *accounts: Account) -> EssentialState:
    """S0: a funded sender, the CREATE2 factory and the given accounts."""
    everyone = (Account(SENDER, balance=10**20), Account(FACTORY, code=CREATE2_CALLDATA), *accounts)
    ordered = tuple(sorted(everyone, key=lambda a: a.address))
    return EssentialState(1, fork, genesis_header(fork, ordered), accounts=ordered)


def leaf_node(store: PreimageStore, root: bytes, key: bytes) -> bytes:
    """The hash of the last node read on the path of key in the trie at root (its leaf)."""
    read: list[bytes] = []

    class Reading(dict):
        def __getitem__(self, node_key: bytes) -> bytes:
            read.append(node_key)
            return store[node_key]

    HexaryTrie(Reading(), root).get(key)
    return read[-1]


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The main guest image, built once."""
    return guest_image()


def one_block(image: GuestImage, state: EssentialState, tmp_path) -> tuple:  # noqa: ANN001
    """A and AB on S's single block over version 2: (store, S2 before, S2 after, keys AB read)."""
    store = PreimageStore(tmp_path / "preimages.sqlite")
    before = to_version_2(state, store)
    after, check = check_block(image, ExporterV2(store), before)
    assert_same(check, "the block")
    assert after.outcome.status == 1, "the block was meant to be accepted"
    assert decode_v2(check.ab.s_image) == after
    assert encode_v2(after) == check.ab.s_image
    return store, before, after, check.asked


def state_root(state_v2) -> bytes:  # noqa: ANN001
    """The state root of S version 2's parent header."""
    return rlpx.decode(state_v2.parent_header)[3]


def selfdestruct_pre_existing() -> tuple[EssentialState, bytes, bytes]:
    target = free_address(0, TAKEN)
    sibling = sibling_of(target)
    account = Account(target, balance=5, code=SELFDESTRUCT_TO_CALLER, storage=((1, 7), (2, 9)))
    state = world(Fork.SHANGHAI, account, Account(sibling, balance=1))
    return build_chain(state, [[Tx(SENDER_KEY, target, gas=100_000)]]), target, sibling


def created_and_destroyed_in_one_tx() -> tuple[EssentialState, bytes, bytes]:
    target = create2_address(0, SELFDESTRUCT_TO_CALLER)
    assert nibble(target) not in TAKEN, "pick another init code: the target shares a taken branch"
    sibling = sibling_of(target)
    state = world(Fork.CANCUN, Account(target, balance=3), Account(sibling, balance=1))
    tx = Tx(SENDER_KEY, FACTORY, gas=200_000, data=SELFDESTRUCT_TO_CALLER)
    return build_chain(state, [[tx]]), target, sibling


def eip161_touch() -> tuple[EssentialState, bytes, bytes]:
    target = free_address(100, TAKEN)
    sibling = sibling_of(target)
    state = world(Fork.SHANGHAI, Account(target), Account(sibling, balance=1))
    return build_chain(state, [[Tx(SENDER_KEY, target, value=0)]]), target, sibling


CASES: dict[str, Callable[[], tuple[EssentialState, bytes, bytes]]] = {
    "selfdestruct-pre-existing": selfdestruct_pre_existing,
    "created-and-destroyed-in-one-tx": created_and_destroyed_in_one_tx,
    "eip161-touch": eip161_touch,
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_account_deletion_reads_the_sibling_leaf_from_the_witness(case: str, image: GuestImage,
                                                                      tmp_path) -> None:  # noqa: ANN001
    state, target, sibling = CASES[case]()
    store, before, after, asked = one_block(image, state, tmp_path)
    assert HexaryTrie(store, state_root(after)).get(keccak(target)) == b"", "the target is deleted"
    assert leaf_node(store, state_root(before), keccak(sibling)) in asked


def test_a_cleared_slot_reads_the_slot_its_storage_trie_collapses_into(image: GuestImage,
                                                                       tmp_path) -> None:  # noqa: ANN001
    contract = free_address(200, TAKEN)
    first = nibble((1).to_bytes(32, "big"))
    kept = next(s for s in range(2, 99) if nibble(s.to_bytes(32, "big")) == first
                and keccak(s.to_bytes(32, "big"))[0] != keccak((1).to_bytes(32, "big"))[0])
    account = Account(contract, code=CLEAR_SLOT_ONE, storage=((1, 0x55), (kept, 0x56)))
    state = build_chain(world(Fork.SHANGHAI, account), [[Tx(SENDER_KEY, contract, gas=100_000)]])
    store, before, _after, asked = one_block(image, state, tmp_path)
    storage_root = rlpx.decode(HexaryTrie(store, state_root(before)).get(keccak(contract)))[2]
    assert leaf_node(store, storage_root, keccak(kept.to_bytes(32, "big"))) in asked


def test_an_account_recreated_after_its_destruction_starts_with_empty_storage(image: GuestImage,
                                                                             tmp_path) -> None:  # noqa: ANN001
    target = create2_address(0, RECREATE_INIT)
    account = Account(target, balance=5, code=SELFDESTRUCT_TO_CALLER, storage=((1, 7), (3, 9)))
    txs = [Tx(SENDER_KEY, target, gas=100_000), Tx(SENDER_KEY, FACTORY, gas=300_000, data=RECREATE_INIT)]
    state = build_chain(world(Fork.SHANGHAI, account), [txs])
    store, _before, after, _asked = one_block(image, state, tmp_path)
    leaf = rlpx.decode(HexaryTrie(store, state_root(after)).get(keccak(target)))
    storage = HexaryTrie(store, leaf[2])
    slots = {slot: storage.get(keccak(slot.to_bytes(32, "big"))) for slot in (1, 2, 3, 4)}
    # slot 4 := the old slot 1 (7, gone with the destruction: read as 0) + 1
    assert slots == {1: b"", 2: rlpx.encode(b"\x66"), 3: b"", 4: rlpx.encode(b"\x01")}
