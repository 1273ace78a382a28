"""An in-memory py-evm chain (Cancun) with one funded account: deploy contracts, call them, meter gas.

Calls run as real transactions on the head VM (intrinsic and calldata gas included), so the gas
figures are what a transaction sender would pay; state changes of calls are kept (nonces advance),
which the step verifier does not care about since it keeps nothing but transient storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth import constants
from eth._utils.address import generate_contract_address
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.vm.forks.cancun import CancunVM
from eth_keys import keys

from emulator.errors import SwapvmError

CHAIN_ID = 1337
GAS_LIMIT = 30_000_000
CALL_GAS = 10_000_000          # per call; a step costs a few hundred thousand at most
SENDER_KEY = keys.PrivateKey(b"\x01" * 32)      # a throwaway key, funded in the genesis block
SENDER = SENDER_KEY.public_key.to_canonical_address()
FUNDS = 10**24
ERROR_SELECTOR = bytes.fromhex("08c379a0")       # Error(string)


class EvmError(SwapvmError):
    """A deployment failed or the chain refused a transaction."""


@dataclass(frozen=True)
class CallResult:
    """What one transaction did: its return data or revert reason, and the gas it used."""

    output: bytes
    gas_used: int              # the whole transaction: 21,000 + calldata + execution
    execution_gas: int         # the message execution alone
    reverted: bool
    reason: str | None         # the Error(string) of a revert, if it carried one


def revert_reason(data: bytes) -> str | None:
    """The message of ABI-encoded Error(string) revert data, or None."""
    if len(data) < 68 or data[:4] != ERROR_SELECTOR:
        return None
    length = int.from_bytes(data[36:68], "big")
    return data[68 : 68 + length].decode("utf-8", "replace")


class LocalChain:
    """A fresh Cancun chain in memory; the sender account pays for every transaction."""

    def __init__(self) -> None:
        """Create the genesis block with the funded sender."""
        klass = MiningChain.configure(
            __name__="SwapvmVerifierChain", vm_configuration=((constants.GENESIS_BLOCK_NUMBER, CancunVM),),
            chain_id=CHAIN_ID,
        )
        genesis = {"difficulty": 0, "gas_limit": GAS_LIMIT, "timestamp": 1, "nonce": b"\0" * 8}
        accounts = {SENDER: {"balance": FUNDS, "nonce": 0, "code": b"", "storage": {}}}
        self.chain = klass.from_genesis(AtomicDB(), genesis, accounts)
        self.vm = self.chain.get_vm()
        self.header = self.vm.get_header()

    def _nonce(self) -> int:
        """The sender's next nonce in the head VM's state."""
        return self.vm.state.get_nonce(SENDER)

    def _run(self, to: bytes, data: bytes, gas: int) -> CallResult:
        """Apply one transaction from the sender to `to` (b"" creates a contract) on the head VM."""
        tx = self.vm.create_unsigned_transaction(
            nonce=self._nonce(), gas_price=self.header.base_fee_per_gas, gas=gas, to=to, value=0, data=data,
        )
        signed = tx.as_signed_transaction(SENDER_KEY, CHAIN_ID)
        receipt, computation = self.vm.apply_transaction(self.header, signed)
        reverted = computation.is_error
        output = computation.output if not reverted else b""
        reason = None
        if reverted:
            args = computation.error.args
            raw = args[0] if args and isinstance(args[0], bytes) else b""
            reason = revert_reason(raw) or (raw.hex() if raw else None)
        return CallResult(output, receipt.gas_used, computation.get_gas_used(), reverted, reason)

    def deploy(self, init_code: bytes) -> bytes:
        """Create a contract from its init code; its address."""
        nonce = self._nonce()
        result = self._run(b"", init_code, self.header.gas_limit)
        if result.reverted:
            raise EvmError(f"deployment failed: {result.reason}")
        address = generate_contract_address(SENDER, nonce)
        if not self.vm.state.get_code(address):
            raise EvmError("deployment left no code")
        return address

    def call(self, to: bytes, data: bytes, gas: int = CALL_GAS) -> CallResult:
        """Send data to the contract at `to` as a transaction; its result and gas."""
        return self._run(to, data, gas)
