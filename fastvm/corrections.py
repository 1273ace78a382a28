"""Where py-evm 0.12.1b1 departs from Ethereum, machine A is corrected, so A (and AB) follow Ethereum.

The departures (spec §4.6, "Machine A's implementation"):
* EIP-7610: creating a contract at an address whose storage is not empty is a collision; py-evm only
  looks at the nonce and the code.
* MODEXP (EIP-198) with an empty base: py-evm answers 0 whatever the exponent, but the base is then
  the number 0, and 0^0 = 1, so the answer is 1 mod m for an empty or zero exponent.
* EIP-4788 (Cancun): execution-specs calls whatever code the beacon roots account holds, as a message
  from the system address, and then deletes the account if it exists and is empty; py-evm writes the
  two slots itself, and only when the account holds exactly the EIP-4788 code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth.constants import BLANK_ROOT_HASH, CREATE_CONTRACT_ADDRESS
from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS
from eth.vm.message import Message

MODEXP_ADDRESS = (5).to_bytes(20, "big")
WORD = 32


def has_storage(state: Any, address: bytes) -> bool:
    """Whether the account at address has a non-empty storage trie (EIP-7610).

    Read from the account's committed storage root: an account with no nonce and no code cannot
    have run code or been created, so its storage is the one it had at the block's start; for
    every other account the collision is already decided by its nonce or code."""
    return state._account_db._get_storage_root(address) != BLANK_ROOT_HASH


def _field(data: bytes, start: int, size: int) -> bytes:
    """size bytes of data from start, zero-padded on the right (how EIP-198 reads its input)."""
    chunk = data[start : start + size]
    return chunk + bytes(size - len(chunk))


def modexp_with_empty_base(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """py-evm's MODEXP (its gas and its answers), with the answer of an empty base made EIP-198's."""

    def modexp(computation: Any) -> Any:
        """MODEXP at address 5: 0^e mod m is 1 mod m for e = 0 (py-evm answers 0)."""
        computation = original(computation)
        data = computation.msg.data_as_bytes
        base_length, exponent_length, modulus_length = (
            int.from_bytes(_field(data, WORD * i, WORD), "big") for i in range(3)
        )
        if base_length or not modulus_length:
            return computation
        exponent = _field(data, 3 * WORD, exponent_length)
        modulus = int.from_bytes(_field(data, 3 * WORD + exponent_length, modulus_length), "big")
        if not any(exponent) and modulus > 1:
            computation.output = (1).to_bytes(modulus_length, "big")
        return computation

    return modexp


def corrected_computation_class(computation_class: type) -> type:
    """The fork's computation class with MODEXP corrected (every other precompile is py-evm's)."""
    precompiles = dict(computation_class.get_precompiles())
    precompiles[MODEXP_ADDRESS] = modexp_with_empty_base(precompiles[MODEXP_ADDRESS])
    return type(f"Corrected{computation_class.__name__}", (computation_class,), {"_precompiles": precompiles})


def corrected_state_class(state_class: type) -> type:
    """A subclass of a fork's State class with EIP-7610 collisions and the corrected computation."""

    def has_code_or_nonce(self: Any, address: bytes) -> bool:
        """A collision at address: a nonce, code, or (EIP-7610) storage."""
        return state_class.has_code_or_nonce(self, address) or has_storage(self, address)

    return type(
        f"Corrected{state_class.__name__}",
        (state_class,),
        {
            "has_code_or_nonce": has_code_or_nonce,
            "computation_class": corrected_computation_class(state_class.computation_class),
        },
    )


SYSTEM_ADDRESS = bytes.fromhex("ff" * 19 + "fe")
SYSTEM_CALL_GAS = 30_000_000


def beacon_roots_call(state: Any, header: Any) -> None:
    """EIP-4788 at a Cancun block's start, as execution-specs does it: a message from SYSTEM_ADDRESS to the
    beacon roots account with the parent beacon block root as data, 30,000,000 gas outside the block's,
    GASPRICE the base fee; then the touched accounts that are empty are deleted (EIP-161)."""
    state.lock_changes()   # fresh access sets and original values, as for a transaction
    message = Message(
        gas=SYSTEM_CALL_GAS, to=BEACON_ROOTS_ADDRESS, sender=SYSTEM_ADDRESS, value=0,
        data=header.parent_beacon_block_root, code=state.get_code(BEACON_ROOTS_ADDRESS),
        code_address=BEACON_ROOTS_ADDRESS,
    )
    context = state.get_transaction_context_class()(
        gas_price=header.base_fee_per_gas, origin=SYSTEM_ADDRESS, blob_versioned_hashes=(),
    )
    computation = state.computation_class.apply_message(state, message, context)
    for address in sorted(touched_accounts(computation)):
        if state.account_exists(address) and state.account_is_empty(address):
            state.delete_account(address)
    state.clear_transient_storage()


def touched_accounts(computation: Any) -> set[bytes]:
    """The accounts a message touched (EIP-161) and kept touched: its target and its self-destruct
    beneficiaries unless it failed, and those of its children (py-evm's collect_touched_accounts also
    names the coinbase, which a transaction's fee touches but a system call does not)."""
    if computation.is_error:
        return set()
    touched = set(computation.get_self_destruct_beneficiaries())
    if computation.msg.to != CREATE_CONTRACT_ADDRESS:
        touched.add(computation.msg.storage_address)
    for child in computation.children:
        touched |= touched_accounts(child)
    return touched
