"""The live-byte budget on Cancun blocks (spec §4.9): A's count equals the guest's on AB.

Transient storage (EIP-1153) is counted where the guest allocates it: a TSTORE that writes (not in
a static context, not out of gas) keeps LIVE_TRANSIENT_SLOT for an (account, key) new in its
transaction, and journals LIVE_TRANSIENT_WRITE, reverted or not. MCOPY touches both its ranges; a
type-3 transaction's blob hashes are not counted (at most 6 x 32 bytes a block); the EIP-4788 system
call counts its message, its slots' cold accesses and writes, and no cold coinbase (py-evm warms it
for the system call, execution-specs and the guest only for transactions). The crossing of the small
budget by transient storage is in tests/guest/test_evm_live.py (its COUNTERS).
"""

from __future__ import annotations

from functools import cache

import pytest
from cancun_blocks import call_self, chains, selector, store
from hypothesis import given, settings
from hypothesis import strategies as st
from test_evm_cancun_blocks import GAS, KEY, TARGET, TARGET_BLOB_GAS, cancun_state, hashes

from fastvm import live
from fastvm.builder import Tx, build_chain
from fastvm.codec import encode
from fastvm.evmasm import Instruction, assemble
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Status
from swapping.guest_image import GuestImage, guest_image
from swapping.heap_probe import measure_heap

MIX = bytes.fromhex("00000000000000000000000000000000000c1154")

# Selector 1 burns its gas on fresh TSTOREs and MCOPYs (it ends out of gas, at a TSTORE mostly);
# 2 TSTOREs (under STATICCALL: fails); 3 TSTOREs then reverts; 4 stores its blob hashes in transient
# storage; the main code TSTOREs, rewrites, reads, calls 2 statically and 3, and MCOPYs.
BURN: list[Instruction] = [("LABEL", "burn"), "GAS", "GAS", "TSTORE",
                           ("PUSH", 64), "PUSH0", "GAS", ("PUSH", 6), "SHR", "MCOPY",
                           ("PUSHLABEL", "burn"), "JUMP"]
MIX_CODE = assemble(selector(
    {
        1: BURN,
        2: [("PUSH", 1), "PUSH0", "TSTORE"],
        3: [("PUSH", 5), ("PUSH", 77), "TSTORE", "PUSH0", "PUSH0", "REVERT"],
        4: ["PUSH0", "BLOBHASH", "PUSH0", "TSTORE", ("PUSH", 2), "BLOBHASH", ("PUSH", 2), "TSTORE"],
    },
    [
        ("PUSH", 7), ("PUSH", 1), "TSTORE", ("PUSH", 8), ("PUSH", 1), "TSTORE", ("PUSH", 9), ("PUSH", 2), "TSTORE",
        ("PUSH", 1), "TLOAD", *store(1),
        *call_self(2, static=True), *store(2),
        *call_self(3), *store(3),
        ("PUSH", 77), "TLOAD", *store(4),
        ("PUSH", 96), ("PUSH", 32), ("PUSH", 200), "MCOPY",
    ],
))


@cache
def image() -> GuestImage:
    """The main guest image."""
    return guest_image()


def counts(state: EssentialState) -> tuple[int, int]:
    """A's count and AB's (the guest's evm_live_total) on state's block; AB must leave A's S'."""
    machine = Machine()
    _after, info = machine.step(state)
    run = measure_heap(image(), encode(state))
    assert run.status == "yielded" and run.s_image == info.image, (run.status, run.cause)
    assert info.status == Status.ACCEPTED, info.reason
    return machine.live_total, run.live_total


def beacon_blocks() -> dict[str, EssentialState]:
    """Blocks with the EIP-4788 contract: no transaction, and a blob transaction (type 3)."""
    blob = Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(6), max_fee_per_blob=10**4)
    return {
        "system call only": build_chain(cancun_state(), [[]], beacon_root=b"\x07" * 32),
        "blob transaction": build_chain(cancun_state(excess_blob_gas=7 * TARGET_BLOB_GAS), [[blob]],
                                        beacon_root=b"\x08" * 32),
    }


@pytest.mark.parametrize("name", [*sorted(chains()), *beacon_blocks()])
def test_cancun_blocks_count_alike(name: str) -> None:
    """The Cancun scenarios (transient storage, MCOPY, EIP-6780, blob opcodes) and the system call."""
    state = {**chains(), **beacon_blocks()}[name]
    a_count, guest_count = counts(state)
    assert a_count == guest_count > 0


def mixed_block(burn_gas: int) -> EssentialState:
    """A Cancun block with the EIP-4788 contract: MIX's main code, its burner out of gas after
    `burn_gas`, and a blob transaction storing its hashes in transient storage."""
    state = cancun_state(extra=(Account(MIX, code=MIX_CODE),))
    txs = [Tx(KEY, MIX, gas=200_000), Tx(KEY, MIX, data=b"\x01", gas=burn_gas),
           Tx(KEY, MIX, data=b"\x04", gas=GAS, blob_hashes=hashes(3), max_fee_per_blob=10**4)]
    return build_chain(state, [txs], beacon_root=b"\x09" * 32)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(burn_gas=st.integers(30_000, 400_000))
def test_mixed_cancun_block_counts_alike(burn_gas: int) -> None:
    """Fresh TSTOREs until out of gas, a static TSTORE, a reverted one, MCOPY and blob hashes."""
    a_count, guest_count = counts(mixed_block(burn_gas))
    assert a_count == guest_count


def tstores(keys: list[int]) -> EssentialState:
    """A Cancun block of one transaction TSTOREing 1 at each of `keys`, in order."""
    code = assemble([x for key in keys for x in (("PUSH", 1), ("PUSH", key), "TSTORE")])
    state = cancun_state(extra=(Account(MIX, code=code),))
    return build_chain(state, [[Tx(KEY, MIX, gas=GAS)]])


def test_a_new_key_keeps_its_entry_and_every_tstore_journals() -> None:
    """Two TSTOREs at one key and at two keys differ by one entry; a third TSTORE adds a journal
    entry; on A and on the guest alike."""
    same, two, three = (counts(tstores(keys)) for keys in ([1, 1], [1, 2], [1, 2, 2]))
    for a_count, guest_count in (same, two, three):
        assert a_count == guest_count
    assert two[0] - same[0] == live.LIVE_TRANSIENT_SLOT
    assert three[0] - two[0] == live.LIVE_TRANSIENT_WRITE
