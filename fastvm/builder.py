"""Valid blocks made with py-evm: genesis headers, signed transactions, chains of blocks for an inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import rlp
from eth.consensus.context import ConsensusContext
from eth.constants import BLANK_ROOT_HASH, EMPTY_UNCLE_HASH
from eth.db.chain import ChainDB
from eth.vm.chain_context import ChainContext
from eth_keys import keys
from eth_utils import ValidationError
from trie import HexaryTrie

from emulator.errors import SwapvmError
from fastvm.forks import machine_vm_class
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork, Status
from fastvm.world import World

DEFAULT_GAS_LIMIT = 30_000_000
DEFAULT_BASE_FEE = 7
BLOCK_INTERVAL = 12  # seconds between built blocks, as on mainnet


@dataclass(frozen=True, slots=True)
class Tx:
    """A transaction to sign: sender key, recipient (None creates a contract), and fees; nonce automatic."""

    key: bytes
    to: bytes | None
    value: int = 0
    gas: int = 21_000
    data: bytes = b""
    max_fee: int = 10**10
    priority_fee: int = 1
    legacy: bool = False
    # EIP-2930 access list of a type-2 transaction: (address, storage keys as ints) pairs
    access_list: tuple[tuple[bytes, tuple[int, ...]], ...] = ()
    # EIP-4844 (Cancun): a type-3 transaction when not None, with these versioned hashes
    blob_hashes: tuple[bytes, ...] | None = None
    max_fee_per_blob: int = 1


def address_of(key: bytes) -> bytes:
    """The address of a secp256k1 private key."""
    return keys.PrivateKey(key).public_key.to_canonical_address()


def header_class_of(fork: Fork) -> type:
    """py-evm's header class for the fork."""
    return dict(machine_vm_class(fork).get_block_class()._meta.fields)["header"]


def genesis_header(
    fork: Fork,
    accounts: tuple[Account, ...],
    gas_limit: int = DEFAULT_GAS_LIMIT,
    timestamp: int = 0,
    base_fee: int = DEFAULT_BASE_FEE,
    extra_data: bytes = b"",
    state_root: bytes | None = None,
) -> bytes:
    """The RLP of a post-merge genesis header committing to accounts (or to a given state root, for a
    world too large to hold as accounts)."""
    fields = dict(
        parent_hash=bytes(32),
        uncles_hash=EMPTY_UNCLE_HASH,
        coinbase=bytes(20),
        state_root=World.load(accounts).root if state_root is None else state_root,
        transaction_root=BLANK_ROOT_HASH,
        receipt_root=BLANK_ROOT_HASH,
        bloom=0,
        difficulty=0,
        block_number=0,
        gas_limit=gas_limit,
        gas_used=0,
        timestamp=timestamp,
        extra_data=extra_data,
        mix_hash=bytes(32),
        nonce=bytes(8),
        base_fee_per_gas=base_fee,
        withdrawals_root=BLANK_ROOT_HASH,
    )
    if fork >= Fork.CANCUN:
        fields.update(blob_gas_used=0, excess_blob_gas=0, parent_beacon_block_root=bytes(32))
    if fork >= Fork.PRAGUE:
        fields.update(
            requests_hash=bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        )
    return rlp.encode(header_class_of(fork)(**fields))


def sign(fork: Fork, chain_id: int, tx: Tx, nonce: int) -> object:
    """A signed py-evm transaction of the fork (EIP-1559 type 2 unless legacy or a blob transaction)."""
    builder = machine_vm_class(fork).get_transaction_builder()
    key = keys.PrivateKey(tx.key)
    to = tx.to if tx.to is not None else b""
    if tx.legacy:
        unsigned = builder.create_unsigned_transaction(
            nonce=nonce, gas_price=tx.max_fee, gas=tx.gas, to=to, value=tx.value, data=tx.data
        )
        return unsigned.as_signed_transaction(key, chain_id=chain_id)
    access_list = [(address, list(keys_)) for address, keys_ in tx.access_list]
    if tx.blob_hashes is not None:
        unsigned = builder.new_unsigned_blob_transaction(
            chain_id, nonce, tx.priority_fee, tx.max_fee, tx.gas, to, tx.value, tx.data, access_list,
            tx.max_fee_per_blob, list(tx.blob_hashes),
        )
        return unsigned.as_signed_transaction(key)
    unsigned = builder.new_unsigned_dynamic_fee_transaction(
        chain_id, nonce, tx.priority_fee, tx.max_fee, tx.gas, to, tx.value, tx.data, access_list,
    )
    # py-evm signs into London's class; decoding the bytes gives the fork's own transaction class.
    return builder.decode(unsigned.as_signed_transaction(key).encode())


class BlockBuilder:
    """Builds the next valid block on top of an S (using the machine's warm world)."""

    def __init__(self, machine: Machine | None = None) -> None:
        self.machine = machine or Machine()

    def build(
        self,
        state: EssentialState,
        txs: Sequence[Tx],
        timestamp: int | None = None,
        coinbase: bytes = bytes(20),
        beacon_root: bytes = bytes(32),
    ) -> bytes:
        """The RLP of a valid block with txs (in order) extending state's parent (from Cancun on, with
        beacon_root as its parent beacon block root)."""
        vm_class = self.machine.vm_class_of(state.fork)  # its live budget too (spec §4.9)
        parent = rlp.decode(state.parent_header, sedes=header_class_of(state.fork))
        world = self.machine.world_for(state)
        world.db[parent.hash] = state.parent_header
        when = timestamp if timestamp is not None else parent.timestamp + BLOCK_INTERVAL
        cancun = {"parent_beacon_block_root": beacon_root} if state.fork >= Fork.CANCUN else {}
        base = vm_class.create_header_from_parent(
            parent, timestamp=when, gas_limit=parent.gas_limit, coinbase=coinbase, **cancun
        ).copy(state_root=world.root)
        vm = vm_class(base, ChainDB(world.db), ChainContext(state.chain_id), ConsensusContext(world.db))
        vm.ancestry = (parent.hash, *reversed(state.ancestor_hashes))
        nonces = {a.address: a.nonce for a in state.accounts}
        signed = []
        for tx in txs:
            sender = address_of(tx.key)
            nonce = nonces.get(sender, 0)
            nonces[sender] = nonce + 1
            signed.append(sign(state.fork, state.chain_id, tx, nonce))
        block = vm.get_block()
        vm.block_preprocessing(block)
        try:
            header, receipts, _ = vm.apply_all_transactions(signed, base)
        except ValidationError as exc:
            raise SwapvmError(f"cannot build block {parent.block_number + 1}: {exc}") from exc
        filled = vm.set_block_transactions_and_withdrawals(block, header, signed, receipts, withdrawals=None)
        return rlp.encode(vm.mine_block(vm.block_postprocessing(filled)).block)


def build_chain(
    state: EssentialState,
    blocks: Sequence[Sequence[Tx]],
    machine: Machine | None = None,
    coinbase: bytes = bytes(20),
    beacon_root: bytes = bytes(32),
) -> EssentialState:
    """S with one built block per entry of blocks appended to its inbox (each checked by running A)."""
    if state.pending:
        raise SwapvmError("cannot build blocks after an inbox that still has unapplied blocks")
    builder = BlockBuilder(machine)
    current = state
    built: list[bytes] = []
    for index, txs in enumerate(blocks):
        raw = builder.build(current, txs, coinbase=coinbase, beacon_root=beacon_root)
        current, info = builder.machine.step(current.with_changes(inbox=current.inbox + (raw,)))
        if info.status != Status.ACCEPTED:
            raise SwapvmError(f"built block {index} was rejected by A ({info.reason.label}: {info.detail})")
        built.append(raw)
    return state.with_changes(inbox=state.inbox + tuple(built))


def with_transactions(raw_block: bytes, encoded_txs: list[bytes]) -> bytes:
    """raw_block with its transactions replaced and its transactions root recomputed (other roots stale).

    Such a block passes checks 1 to 3 of spec §4.6, so its transactions themselves are judged: the
    way tests and adversarial inputs reach code 4."""
    header, _txs, ommers, withdrawals = rlp.decode(raw_block)[:4]
    trie = HexaryTrie({})
    for index, encoded in enumerate(encoded_txs):
        trie[rlp.encode(index)] = encoded
    header = list(header)
    header[4] = trie.root_hash
    items = [rlp.decode(encoded) if encoded[0] >= 0xC0 else encoded for encoded in encoded_txs]
    return rlp.encode([header, items, ommers, withdrawals])
