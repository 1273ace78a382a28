"""Cancun's opcodes on the native guest: each hand-built Cancun chain (cancun_blocks.py) must leave
machine A's S' after every block, byte for byte, and A's S' must show the behaviour the chain tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from cancun_blocks import (
    BLOB, FACTORY, MCOPIER, OLD, OLD_SELF, OTHER, TRANSIENT, chains,
)
from evm_native import guest_step

from fastvm.codec import encode
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState


def run_both(state: EssentialState, work: Path) -> EssentialState:
    """Apply every block on A and on the native guest; the images must agree; A's last S."""
    machine = Machine()
    image = encode(state)
    for index in range(len(state.inbox)):
        state, info = machine.step(state)
        assert info.status.name == "ACCEPTED", f"block {index + 1}: {info.status.name}"
        assert guest_step(image, work) == info.image, f"block {index + 1} differs"
        image = info.image
    return state


def account(state: EssentialState, address: bytes) -> Account | None:
    """The account at address in S, or None."""
    return next((a for a in state.accounts if a.address == address), None)


def storage(state: EssentialState, address: bytes) -> dict[int, int]:
    """The storage of an account as a dict (empty when absent)."""
    found = account(state, address)
    return dict(found.storage) if found else {}


@pytest.mark.parametrize("name", ["transient", "mcopy", "selfdestruct", "blob"])
def test_cancun_chain_same_as_machine_a(tmp_path: Path, name: str) -> None:
    run_both(chains()[name], tmp_path)


def test_transient_storage_semantics(tmp_path: Path) -> None:
    """Seen by a child, reverted with its frame, refused in a static call, cleared after the transaction."""
    slots = storage(run_both(chains()["transient"], tmp_path), TRANSIENT)
    assert slots[1] == 107                  # the child read the parent's 7
    assert slots[10] == 100 and slots[2] == 107  # the reverting child failed; its 99 was undone
    assert slots[3] == 100                  # TSTORE under STATICCALL failed
    assert slots[6] == 155                  # a committed child's 55 stays, its own child's 99 does not
    assert slots[7] == 100                  # a reverted frame's write to key 9 is gone
    assert slots[5] == 100 and slots[8] == 100  # the next transactions (same and next block) read 0


def test_mcopy_semantics(tmp_path: Path) -> None:
    """Overlapping copies move the bytes as memmove does; expansion by either range."""
    slots = storage(run_both(chains()["mcopy"], tmp_path), MCOPIER)
    mem = bytearray(512)
    mem[0:32] = bytes(range(1, 33))
    mem[32:64] = bytes(range(101, 133))
    mem[5:45] = bytes(mem[0:40])
    mem[0:33] = bytes(mem[7:40])
    assert [slots[0] - 100, slots[1] - 100, slots[2] - 100] == [64, 288, 416]
    mem[200:264] = bytes(mem[10:74])
    mem[20:30] = bytes(mem[400:410])
    for key, offset in ((3, 0), (4, 32), (5, 200), (6, 232), (7, 20)):
        assert slots[key] == int.from_bytes(mem[offset:offset + 32], "big") + 100, key


def test_selfdestruct_eip6780(tmp_path: Path) -> None:
    """Only a contract created in the same transaction is deleted; an older one only loses its balance."""
    state = run_both(chains()["selfdestruct"], tmp_path)
    slots = storage(state, FACTORY)
    first = slots[0].to_bytes(20, "big")
    later = slots[1].to_bytes(20, "big")
    burnt = slots[2].to_bytes(20, "big")
    assert slots[10] == 101 and slots[11] == 101  # both calls succeeded
    assert account(state, first) is None           # created and destructed in one transaction
    assert account(state, burnt) is None           # destructed to itself in its init code
    kept = account(state, later)
    assert kept is not None and kept.code == bytes.fromhex("33ff") and kept.balance == 0
    old = account(state, OLD)
    assert old is not None and old.balance == 0 and old.code and dict(old.storage) == {1: 2}
    assert account(state, OTHER).balance == 609
    old_self = account(state, OLD_SELF)
    assert old_self is not None and old_self.balance == 511 and dict(old_self.storage) == {3: 4}


def test_blob_opcodes_without_blobs(tmp_path: Path) -> None:
    """BLOBBASEFEE is 1 at excess blob gas 0; BLOBHASH of a type-2 transaction is 0 at any index."""
    slots = storage(run_both(chains()["blob"], tmp_path), BLOB)
    assert slots[0] == 101 and slots[1] == 100 and slots[2] == 100
