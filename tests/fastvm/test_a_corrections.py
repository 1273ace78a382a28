"""Machine A follows Ethereum where py-evm 0.12.1b1 does not (fastvm/corrections.py), in every fork."""

from __future__ import annotations

import pytest
import rlp

from emulator.merkle import keccak
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork

KEY = b"\x41" * 32
SENDER = address_of(KEY)
TARGET = keccak(rlp.encode([SENDER, 0]))[12:]  # where the sender's first creation lands
INIT = bytes.fromhex("600160005360016000f3")  # deploys the one-byte code 0x01
# Calls MODEXP with an empty base, exponent and a one-byte modulus 7, stores the output in slot 0.
MODEXP_CALLER = bytes.fromhex(
    "6001604052"  # mem[0x40..0x60) = 1: the modulus length (base and exponent lengths are 0)
    "6007606053"  # mem[0x60] = 7: the modulus
    "60016080606160006000"  # out 0x80 (1 byte), in 0x00 (0x61 bytes), value 0
    "6005620186a0f1"  # to 5, gas 100000: CALL
    "5060805160f81c60005500"  # slot 0 := mem[0x80] >> 248
)
CALLER = b"\x5e" * 20
FORKS = [Fork.SHANGHAI, Fork.CANCUN, Fork.PRAGUE]


def _world(fork: Fork, target: Account | None) -> EssentialState:
    """A funded sender, the MODEXP caller, and optionally an account at the creation's address."""
    accounts = [Account(SENDER, balance=10**18), Account(CALLER, code=MODEXP_CALLER)]
    accounts += [target] if target else []
    accounts.sort(key=lambda account: account.address)
    return EssentialState(1, fork, genesis_header(fork, tuple(accounts)), accounts=tuple(accounts))


def _after(fork: Fork, target: Account | None, tx: Tx) -> dict[bytes, Account]:
    """The accounts after one block with tx, run by A."""
    built = build_chain(_world(fork, target), [[tx]])
    after, _info = Machine().step(built)
    return {account.address: account for account in after.accounts}


@pytest.mark.parametrize("fork", FORKS, ids=lambda fork: fork.name.lower())
@pytest.mark.parametrize("storage", [True, False], ids=["storage-only-target", "empty-target"])
def test_creation_onto_storage_collides(fork: Fork, storage: bool) -> None:
    """EIP-7610: a target with storage (and no nonce or code) makes the creation fail."""
    target = Account(TARGET, balance=1, storage=((1, 2),)) if storage else Account(TARGET, balance=1)
    accounts = _after(fork, target, Tx(KEY, None, gas=100_000, data=INIT))
    created = accounts[TARGET]
    if storage:
        assert (created.code, created.nonce, created.storage) == (b"", 0, ((1, 2),))
        assert accounts[SENDER].balance < 10**18 - 100_000 * 7  # all the gas was consumed
    else:
        assert (created.code, created.nonce) == (b"\x01", 1)


@pytest.mark.parametrize("fork", FORKS, ids=lambda fork: fork.name.lower())
def test_modexp_of_an_empty_base_and_exponent_is_one(fork: Fork) -> None:
    """EIP-198: 0^0 mod 7 = 1 (py-evm answers 0)."""
    accounts = _after(fork, None, Tx(KEY, CALLER, gas=200_000))
    assert dict(accounts[CALLER].storage) == {0: 1}
