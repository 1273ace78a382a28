"""Machine A rejects, in every fork it runs, the transactions spec §4.6 code 4 forbids and py-evm lets by.

Each rejected case is a valid block whose one transaction is replaced by a crafted one (roots 1-3 still
match), so the verdict is the transaction's. Boundary cases that are valid are built and accepted.
"""

from __future__ import annotations

import pytest

from fastvm.builder import Tx, address_of, build_chain, genesis_header, sign, with_transactions
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork, Reason, Status

KEY = b"\x31" * 32
CODE_KEY = b"\x32" * 32
DELEGATED_KEY = b"\x33" * 32
TARGET = b"\x0c" * 20
GAS, MAX_FEE, VALUE = 60_000, 10**10, 10**15
# Exactly gas * max fee + value: a wei less is not enough, although gas * effective price is far less.
BALANCE = GAS * MAX_FEE + VALUE
FORKS = [Fork.SHANGHAI, Fork.CANCUN, Fork.PRAGUE]


def _genesis(fork: Fork, sender_code: bytes = b"\x00") -> EssentialState:
    """A sender funded to the wei, a sender with code, a sender with a delegation designator."""
    accounts = tuple(sorted([
        Account(address_of(KEY), balance=BALANCE),
        Account(address_of(CODE_KEY), balance=BALANCE, code=sender_code),
        Account(address_of(DELEGATED_KEY), balance=BALANCE, code=b"\xef\x01\x00" + TARGET),
        Account(TARGET, code=b"\x00"),
    ], key=lambda account: account.address))
    return EssentialState(1, fork, genesis_header(fork, accounts), accounts=accounts)


def _verdict(fork: Fork, tx: Tx) -> tuple[Status, Reason, str]:
    """A's verdict on a block whose only transaction is tx (nonce 0), signed as given."""
    state = _genesis(fork)
    base = build_chain(state, [[Tx(KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE)]])
    signed = sign(fork, 1, tx, 0)
    block = with_transactions(base.inbox[0], [signed.encode()])
    _after, info = Machine().step(state.with_changes(inbox=(block,)))
    return info.status, info.reason, info.detail


@pytest.mark.parametrize("fork", FORKS, ids=lambda fork: fork.name.lower())
@pytest.mark.parametrize(
    ("tx", "fragment"),
    [
        (Tx(KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE, priority_fee=MAX_FEE + 1), "priority fee"),
        (Tx(KEY, TARGET, VALUE + 1, GAS, max_fee=MAX_FEE), "needs gas * max fee + value"),
        (Tx(KEY, TARGET, VALUE, GAS + 1, max_fee=MAX_FEE), "needs gas * max fee + value"),
        (Tx(KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE, legacy=True), ""),
        (Tx(CODE_KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE), "EIP-3607"),
    ],
    ids=[
        "priority-above-max", "value-one-wei-short", "gas-one-unit-short", "legacy-same-cost", "sender-code"
    ],
)
def test_transaction_rule(fork: Fork, tx: Tx, fragment: str) -> None:
    status, reason, detail = _verdict(fork, tx)
    if not fragment:  # the base transaction's cost: judged by the roots, never code 4
        assert reason != Reason.TRANSACTION_INVALID, detail
        return
    assert (status, reason) == (Status.REJECTED, Reason.TRANSACTION_INVALID), detail
    assert fragment in detail


@pytest.mark.parametrize("fork", FORKS, ids=lambda fork: fork.name.lower())
def test_balance_of_exactly_gas_times_max_fee_plus_value_is_enough(fork: Fork) -> None:
    state = _genesis(fork)
    built = build_chain(state, [[Tx(KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE)]])
    after, info = Machine().step(built)
    assert info.status == Status.ACCEPTED, info.detail
    assert after.cursor == 1


@pytest.mark.parametrize("fork", FORKS, ids=lambda fork: fork.name.lower())
def test_delegation_designator_sender_only_from_prague(fork: Fork) -> None:
    tx = Tx(DELEGATED_KEY, TARGET, VALUE, GAS, max_fee=MAX_FEE)
    if fork >= Fork.PRAGUE:  # EIP-7702: a delegated account may still send
        built = build_chain(_genesis(fork), [[tx]])
        assert Machine().step(built)[1].status == Status.ACCEPTED
        return
    status, reason, detail = _verdict(fork, tx)
    assert (status, reason) == (Status.REJECTED, Reason.TRANSACTION_INVALID)
    assert "EIP-3607" in detail
