"""Invalid and borderline transactions: the guest rejects exactly when machine A does, with A's code.

A valid block is built by fastvm; its transaction list is then replaced by one transaction signed with
deliberately wrong fields (nonce, gas, fees, value, chain id, sender with code, oversized init code) and
the transactions root is recomputed, so the block passes checks 1 to 3 and the transaction itself is
judged (code 4), or, when it is valid after all, the stale gas and roots of the header are (codes 5-7).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evm_native import guest_step

from fastvm.builder import Tx, address_of, build_chain, genesis_header, sign, with_transactions
from fastvm.codec import encode
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork, Reason, Status

KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
CODE_KEY = bytes.fromhex("1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff001")
SENDER, CODE_SENDER = address_of(KEY), address_of(CODE_KEY)
TARGET = bytes.fromhex("00000000000000000000000000000000000c0de0")
STORE = bytes.fromhex("600160005500")  # SSTORE(0, 1)
BALANCE = 10**18


def genesis() -> EssentialState:
    """A funded sender, a funded sender that has code (EIP-3607), a contract."""
    accounts = tuple(sorted([
        Account(SENDER, balance=BALANCE, nonce=3),
        Account(CODE_SENDER, balance=BALANCE, code=b"\x00"),
        Account(TARGET, code=STORE),
    ], key=lambda a: a.address))
    return EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)


# name -> (transaction, nonce, chain id); nonce 3 is the sender's.
CASES: dict[str, tuple[Tx, int, int]] = {
    "valid": (Tx(KEY, TARGET, gas=60_000), 3, 1),
    "valid-legacy": (Tx(KEY, TARGET, gas=60_000, legacy=True), 3, 1),
    "nonce-low": (Tx(KEY, TARGET, gas=60_000), 2, 1),
    "nonce-high": (Tx(KEY, TARGET, gas=60_000), 4, 1),
    "gas-below-intrinsic": (Tx(KEY, TARGET, gas=20_999), 3, 1),
    "gas-above-block": (Tx(KEY, TARGET, gas=10**12), 3, 1),
    "fee-below-base": (Tx(KEY, TARGET, gas=60_000, max_fee=1), 3, 1),
    "priority-above-max": (Tx(KEY, TARGET, gas=60_000, max_fee=10**10, priority_fee=10**10 + 1), 3, 1),
    "value-above-balance": (Tx(KEY, TARGET, gas=60_000, value=BALANCE), 3, 1),
    "fees-above-balance": (Tx(KEY, TARGET, gas=10**6, max_fee=BALANCE // 10**6 + 1), 3, 1),
    "wrong-chain": (Tx(KEY, TARGET, gas=60_000), 3, 2),
    "wrong-chain-legacy": (Tx(KEY, TARGET, gas=60_000, legacy=True), 3, 2),
    "sender-has-code": (Tx(CODE_KEY, TARGET, gas=60_000), 0, 1),
    "initcode-too-large": (Tx(KEY, None, gas=5_000_000, data=bytes(49_153)), 3, 1),
    "initcode-at-limit": (Tx(KEY, None, gas=5_000_000, data=bytes(49_152)), 3, 1),
    "create-gas-below-intrinsic": (Tx(KEY, None, gas=53_000, data=b"\x01"), 3, 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_transaction_verdict_same_as_machine_a(name: str, tmp_path: Path) -> None:
    tx, nonce, chain_id = CASES[name]
    base = build_chain(genesis(), [[Tx(KEY, TARGET, gas=60_000, legacy=tx.legacy)]])
    signed = sign(Fork.SHANGHAI, chain_id, tx, nonce)
    block = with_transactions(base.inbox[0], [signed.encode()])
    state = base.with_changes(inbox=(block,))
    _after, info = Machine().step(state)
    if name.startswith("valid"):
        assert info.status == Status.ACCEPTED
    elif name != "initcode-at-limit":
        assert (info.status, info.reason) == (Status.REJECTED, Reason.TRANSACTION_INVALID), info.detail
    assert guest_step(encode(state), tmp_path) == info.image
