"""The checks of a block against S, in the order of spec §4.6: each failure is a Rejection with its code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rlp
from eth.db.trie import make_trie_root_and_nodes
from eth.exceptions import PyEVMError
from eth_utils import ValidationError

from emulator.merkle import keccak
from fastvm import rlpx, shapes
from fastvm.forks import GAS_PER_BLOB, MAX_BLOB_GAS, blob_gas_of, excess_blob_gas
from fastvm.header import Header, HeaderRangeError, HeaderShapeError, check_ranges, parse_header
from fastvm.state import EssentialState, Fork, Reason

# Exceptions py-evm's decoders raise on bytes that are not a block of the fork.
DECODE_ERRORS = (
    rlp.exceptions.RLPException,
    PyEVMError,
    ValidationError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
)


class Rejection(Exception):
    """A block fails a check of spec §4.6: the reason code and a human-readable detail."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.label}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class DecodedBlock:
    """A block that passed check 1: py-evm's block (ommers left out), its header fields and bytes."""

    block: Any
    header: Header
    header_bytes: bytes
    ommers_hash: bytes


def decode_block(raw: bytes, fork: Fork, block_class: type) -> DecodedBlock:
    """Check 1: canonical RLP of the fork's block, ommers any list (spec §4.6)."""
    try:
        item = rlpx.decode(raw, "block")
    except rlpx.RlpError as exc:
        raise Rejection(Reason.MALFORMED, str(exc)) from exc
    if not isinstance(item, list) or len(item) != 4:
        raise Rejection(Reason.MALFORMED, "block is not a list [header, transactions, ommers, withdrawals]")
    header_item, transactions, ommers, withdrawals = item
    try:
        header = parse_header(header_item, fork)
    except HeaderShapeError as exc:
        raise Rejection(Reason.MALFORMED, str(exc)) from exc
    if not isinstance(ommers, list):
        raise Rejection(Reason.MALFORMED, "ommers is a string, not a list")
    try:
        shapes.check_body(transactions, withdrawals, fork)
    except shapes.ShapeError as exc:
        raise Rejection(Reason.MALFORMED, str(exc)) from exc
    # Ommers are only a list here: checks 2 and 3 then require it to be empty (spec §4.6).
    without_ommers = rlpx.encode([header_item, transactions, [], withdrawals])
    try:
        block = rlp.decode(without_ommers, sedes=block_class)
    except DECODE_ERRORS as exc:
        raise Rejection(Reason.MALFORMED, f"not a {fork.name.lower()} block: {exc}") from exc
    if rlp.encode(block) != without_ommers:
        raise Rejection(Reason.MALFORMED, "block does not re-encode to the same bytes")
    return DecodedBlock(block, header, rlpx.encode(header_item), keccak(rlpx.encode(ommers)))


def check_header(state: EssentialState, block: Any, header_item: Header, parent: Any, vm_class: type,
                 fork: Fork | None = None) -> None:
    """Check 2: the header against the parent (A's own rules first, then py-evm's validate_header).

    `fork` is the block's (S's one fork unless given: S version 2 takes it from the schedule)."""
    fork = state.fork if fork is None else fork
    header = block.header
    if header.parent_hash != keccak(state.parent_header):
        raise Rejection(Reason.HEADER_INVALID, "parent_hash is not the hash of the parent header")
    if header.block_number != parent.block_number + 1:
        raise Rejection(
            Reason.HEADER_INVALID, f"number {header.block_number} does not follow {parent.block_number}"
        )
    try:
        check_ranges(header_item, fork)
    except HeaderRangeError as exc:
        raise Rejection(Reason.HEADER_INVALID, str(exc)) from exc
    if header.timestamp <= parent.timestamp:
        raise Rejection(Reason.HEADER_INVALID, "timestamp is not after the parent's")
    if header.gas_used > header.gas_limit:
        raise Rejection(Reason.HEADER_INVALID, "gas_used exceeds gas_limit")
    try:
        vm_class.validate_header(header, parent)
    except ValidationError as exc:
        raise Rejection(Reason.HEADER_INVALID, str(exc)) from exc
    if fork >= Fork.CANCUN:
        if header.excess_blob_gas != excess_blob_gas(fork, parent):
            raise Rejection(Reason.HEADER_INVALID, "excess_blob_gas differs from EIP-4844's value")
        if header.blob_gas_used > MAX_BLOB_GAS[fork]:
            raise Rejection(Reason.HEADER_INVALID, "blob_gas_used above the fork's maximum")
        if header.blob_gas_used % GAS_PER_BLOB:
            raise Rejection(Reason.HEADER_INVALID, f"blob_gas_used is not a multiple of {GAS_PER_BLOB}")


def check_body(block: Any, ommers_hash: bytes) -> None:
    """Check 3: the transactions root, the ommers hash and the withdrawals root (and withdrawal ranges)."""
    header = block.header
    if make_trie_root_and_nodes(block.transactions)[0] != header.transaction_root:
        raise Rejection(Reason.BODY_MISMATCH, "transactions_root does not match the transactions")
    if ommers_hash != header.uncles_hash:
        raise Rejection(Reason.BODY_MISMATCH, "ommers_hash does not match the ommers")
    if make_trie_root_and_nodes(block.withdrawals)[0] != header.withdrawals_root:
        raise Rejection(Reason.BODY_MISMATCH, "withdrawals_root does not match the withdrawals")
    for index, withdrawal in enumerate(block.withdrawals):
        try:
            withdrawal.validate()
        except ValidationError as exc:
            raise Rejection(Reason.BODY_MISMATCH, f"withdrawal {index}: {exc}") from exc


def check_chain_ids(block: Any, chain_id: int) -> None:
    """Check 4, the state-free part: every transaction is for this chain (spec §4.6).

    A typed transaction carries its chain id; a legacy EIP-155 signature encodes it in v; a
    pre-EIP-155 legacy signature (v 27/28) is valid on any chain. py-evm's block import compares
    neither, so A does; the code is 4 whichever transaction of the block fails first."""
    for index, transaction in enumerate(block.transactions):
        tx_chain = getattr(transaction, "chain_id", None)
        if tx_chain is not None and tx_chain != chain_id:
            raise Rejection(
                Reason.TRANSACTION_INVALID,
                f"transaction {index} is for chain {tx_chain}, not {chain_id}",
            )


def check_blob_gas(block: Any, fork: Fork) -> None:
    """Check 4, the state-free part of EIP-4844: the blobs of the transactions so far fit the block's
    maximum blob gas (execution-specs rejects the transaction that exceeds it; py-evm checks the total
    only after execution, in the block validation A replaces)."""
    if fork < Fork.CANCUN:
        return
    used = 0
    for index, transaction in enumerate(block.transactions):
        used += blob_gas_of(transaction)
        if used > MAX_BLOB_GAS[fork]:
            raise Rejection(
                Reason.TRANSACTION_INVALID,
                f"transaction {index} brings the block's blob gas to {used}, above {MAX_BLOB_GAS[fork]}",
            )


def check_results(block: Any, mined: Any, fork: Fork) -> None:
    """Checks 5–7: the header's commitments against the block py-evm computed, in the spec's order."""
    given, computed = block.header, mined.header
    if given.gas_used != computed.gas_used:
        raise Rejection(Reason.GAS_MISMATCH, f"gas_used {given.gas_used}, computed {computed.gas_used}")
    if fork >= Fork.CANCUN and given.blob_gas_used != computed.blob_gas_used:
        raise Rejection(Reason.GAS_MISMATCH, "blob_gas_used differs from the blobs' gas")
    if given.receipt_root != computed.receipt_root:
        raise Rejection(Reason.RECEIPTS_MISMATCH, "receipts_root differs from the computed receipts")
    if given.bloom != computed.bloom:
        raise Rejection(Reason.RECEIPTS_MISMATCH, "logs_bloom differs from the computed receipts")
    if fork >= Fork.PRAGUE and given.requests_hash != computed.requests_hash:
        raise Rejection(Reason.RECEIPTS_MISMATCH, "requests_hash differs from the computed requests")
    if given.state_root != computed.state_root:
        raise Rejection(Reason.STATE_ROOT_MISMATCH, "state_root differs from the post-state")


def number_of(raw: bytes, fork: Fork) -> int | None:
    """The block number of raw if its header decodes at all (for reports only)."""
    try:
        item = rlpx.decode(raw)
        return parse_header(item[0], fork).int("number") if isinstance(item, list) and item else None
    except (rlpx.RlpError, HeaderShapeError):
        return None
