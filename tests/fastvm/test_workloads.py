"""The workload generators build valid, deterministic chains whose contracts compute what they claim."""

from __future__ import annotations

import pytest

from emulator.merkle import keccak
from fastvm.codec import encode
from fastvm.contracts import balance_slot
from fastvm.machine import Machine
from fastvm.state import EssentialState, Status
from fastvm.workloads import ARITH, KECCAK, SSTORE, SSTORE_SLOTS, TOKEN, WORKLOADS, Users, _pairs, workload

ACCOUNTS, BLOCKS, TXS = 12, 2, 4


def _run(state: EssentialState) -> EssentialState:
    """Apply every block, requiring each to be accepted."""
    machine = Machine(verify=True)
    while state.pending:
        state, info = machine.step(state)
        assert info.status == Status.ACCEPTED, info.detail
    return state


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_a_workload_is_deterministic_and_accepted(name: str) -> None:
    first = workload(name, 6, 1, 2)
    assert encode(first) == encode(workload(name, 6, 1, 2))
    assert len(first.inbox) == 1
    _run(first)


def test_erc20_transfers_move_exactly_the_planned_amounts() -> None:
    final = _run(workload("erc20", ACCOUNTS, BLOCKS, TXS))
    users = Users.make(ACCOUNTS)
    expected = dict.fromkeys(users.addresses, 10**6)
    for block in range(BLOCKS):
        for sender, receiver in _pairs(users, block, TXS):
            expected[users.addresses[sender]] -= 1 + block
            expected[users.addresses[receiver]] += 1 + block
    storage = dict(final.account_map()[TOKEN].storage)
    assert {a: storage[balance_slot(a)] for a in users.addresses} == expected


def test_the_loops_store_their_results() -> None:
    arith = dict(_run(workload("arith", 3, 1, 1)).account_map()[ARITH].storage)
    acc = 1
    for _ in range(2000):
        acc = (acc * 3 + 7) % 2**256
    assert arith == {0: acc}
    word = bytes(32)
    for _ in range(1000):
        word = keccak(word)
    assert dict(_run(workload("keccak", 3, 1, 1)).account_map()[KECCAK].storage) == {
        0: int.from_bytes(word, "big")
    }
    assert dict(_run(workload("sstore", 3, 1, 1)).account_map()[SSTORE].storage) == {
        i: i + 1 for i in range(SSTORE_SLOTS)
    }
