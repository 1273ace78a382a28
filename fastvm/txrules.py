"""The transaction rules of spec §4.6 (code 4) that py-evm's own validation leaves out, for machine A.

py-evm's `import_block` trusts its callers (a node's transaction pool) with these rules of the
execution specs: a sender must be an externally owned account (EIP-3607), a priority fee must not
exceed the max fee (EIP-1559), the balance must cover `gas * max fee + value` (py-evm compares
against `gas * effective price` before Cancun and leaves out `value` from Cancun on), and a blob
transaction (EIP-4844) must name a recipient and carry 32-byte hashes (py-evm executes one with an
empty `to` as a creation, and reads only a hash's first byte). The guest enforces them, so A must
as well, each against the state before the transaction.
"""

from __future__ import annotations

from typing import Any

from eth.constants import SECPK1_N
from eth.vm.forks.cancun.constants import BLOB_TX_TYPE, GAS_PER_BLOB
from eth.vm.forks.prague.constants import DELEGATION_DESIGNATION_PREFIX
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError, encode_hex

ADDRESS_LENGTH = 20
HASH_LENGTH = 32
DELEGATION_LENGTH = len(DELEGATION_DESIGNATION_PREFIX) + ADDRESS_LENGTH  # EIP-7702: prefix, address


def blob_fee(transaction: Any) -> int:
    """EIP-4844's most a transaction pays for its blobs: zero for every type but 0x03."""
    if getattr(transaction, "type_id", None) != BLOB_TX_TYPE:
        return 0
    return GAS_PER_BLOB * len(transaction.blob_versioned_hashes) * transaction.max_fee_per_blob_gas


def _is_delegation(code: bytes) -> bool:
    """Whether code is an EIP-7702 delegation designator (a sender may have one from Prague on)."""
    return len(code) == DELEGATION_LENGTH and code.startswith(DELEGATION_DESIGNATION_PREFIX)


def recover_sender(transaction: Any) -> bytes:
    """The sender of a signature the spec accepts, else ValidationError (never eth_keys' BadSignature).

    The spec's signature rule (code 4): `0 < r < n`, `0 < s <= n/2` (EIP-2, every type), a parity of
    0 or 1, and a point that recovers. py-evm checks the high s only for legacy transactions, and
    recovering a typed transaction's sender raises eth_keys' own exceptions, which py-evm's callers
    would not catch; so the rule is checked here, before any other rule reads the sender.
    """
    r, s = transaction.r, transaction.s
    if not 0 < r < SECPK1_N or not 0 < s <= SECPK1_N // 2:
        raise ValidationError(f"signature out of range (r = {r:#x}, s = {s:#x})")
    try:
        parity = transaction.y_parity
        if parity not in (0, 1):
            raise ValidationError(f"signature parity {parity} is neither 0 nor 1")
        return transaction.sender
    except BadSignature as exc:  # eth_keys' ValidationError is eth_utils' and passes through
        raise ValidationError(f"signature does not recover a sender: {exc}") from exc


def check_blob_shape(transaction: Any) -> None:
    """EIP-4844's rules py-evm leaves out: a blob transaction's `to` is an address, its hashes 32 bytes."""
    if getattr(transaction, "type_id", None) != BLOB_TX_TYPE:
        return
    if len(transaction.to) != ADDRESS_LENGTH:
        raise ValidationError("a blob transaction cannot create a contract (its to is empty)")
    for index, versioned_hash in enumerate(transaction.blob_versioned_hashes):
        if len(versioned_hash) != HASH_LENGTH:
            raise ValidationError(f"blob versioned hash {index} is {len(versioned_hash)} bytes, not 32")


def check_spec_rules(state: Any, transaction: Any, allow_delegation: bool) -> None:
    """Raise ValidationError if transaction breaks a code-4 rule py-evm does not check itself."""
    sender = recover_sender(transaction)
    check_blob_shape(transaction)
    max_fee = transaction.max_fee_per_gas
    priority = transaction.max_priority_fee_per_gas
    if priority > max_fee:
        raise ValidationError(f"max priority fee per gas ({priority}) is above max fee per gas ({max_fee})")
    code = state.get_code(sender)
    if code and not (allow_delegation and _is_delegation(code)):
        raise ValidationError(f"sender {encode_hex(sender)} has code (EIP-3607)")
    needed = transaction.gas * max_fee + blob_fee(transaction) + transaction.value
    balance = state.get_balance(sender)
    if balance < needed:
        raise ValidationError(
            f"sender {encode_hex(sender)} has {balance} wei, needs gas * max fee + value = {needed}"
        )


def spec_rules_state_class(state_class: type, allow_delegation: bool) -> type:
    """A subclass of a fork's State class that checks the spec's rules before py-evm's own."""

    def validate_transaction(self: Any, transaction: Any) -> None:
        """The spec's rules that py-evm leaves out, then py-evm's validation of the fork."""
        check_spec_rules(self, transaction, allow_delegation)
        state_class.validate_transaction(self, transaction)

    return type(f"Spec{state_class.__name__}", (state_class,), {"validate_transaction": validate_transaction})
