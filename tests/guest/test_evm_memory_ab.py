"""The guest's heap holds what a 30M-gas block can make the EVM keep live at once, on AB.

A contract calls itself as deep as the gas allows, each frame first expanding its memory: the memory of
every frame on the call stack is live together. The guest must leave A's S' (not run out of its RAM):
three random state tests of the public set did, when the growing memory region left its old copies
behind on the bump heap.
"""

from __future__ import annotations

import pytest

from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import encode
from fastvm.evmasm import assemble
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork
from swapping.ab_check import ab_transition_check
from swapping.guest_image import guest_image

KEY = b"\x51" * 32
DEEP = b"\xde" * 20


def recursive_expander(frame_bytes: int) -> bytes:
    """Code: with d = calldata word 0, if d > 0 touch byte frame_bytes - 1 of memory, call self with d - 1."""
    return assemble([
        ("PUSH", 0), "CALLDATALOAD", "DUP1", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
        ("PUSH", 1), ("PUSH", frame_bytes - 1), "MSTORE8",   # memory grows to frame_bytes
        ("PUSH", 1), "SWAP1", "SUB", ("PUSH", 0), "MSTORE",  # mem[0:32] = d - 1
        ("PUSH", 0), ("PUSH", 0), ("PUSH", 32), ("PUSH", 0), ("PUSH", 0), "ADDRESS", "GAS", "CALL", "POP",
        ("LABEL", "end"), "STOP",
    ])  # fmt: skip


@pytest.mark.parametrize("frame_bytes", [4_096, 65_536, 262_144], ids=["4KiB", "64KiB", "256KiB"])
def test_deep_calls_with_memory_in_every_frame(frame_bytes: int) -> None:
    accounts = tuple(sorted(
        [Account(address_of(KEY), balance=10**20), Account(DEEP, code=recursive_expander(frame_bytes))],
        key=lambda account: account.address,
    ))
    state = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)
    tx = Tx(KEY, DEEP, gas=29_000_000, data=(1024).to_bytes(32, "big"))
    built = build_chain(state, [[tx]])
    after, info = Machine().step(built)
    assert info.gas_used > 200_000  # the recursion ran, not a short call
    assert ab_transition_check(guest_image())(encode(built), encode(after)) is None
