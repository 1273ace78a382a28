"""Machine A: S' = A(S) applies the next inbox block with py-evm, checking it in the order of spec §4.6."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import rlp
from eth.consensus.context import ConsensusContext
from eth.db.chain import ChainDB
from eth.db.trie import make_trie_root_and_nodes
from eth.exceptions import VMError
from eth.vm.chain_context import ChainContext
from eth_utils import ValidationError

from emulator.layout import DEFAULT_S_SIZE
from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.codec import Encoder
from fastvm.forks import MAX_BLOB_GAS, excess_blob_gas, machine_vm_class
from fastvm.header import Header, HeaderRangeError, HeaderShapeError, check_ranges, parse_header
from fastvm.state import MAX_ANCESTORS, EssentialState, Fork, Outcome, Reason, Status
from fastvm.world import World, state_root_of

# Exceptions py-evm's decoders raise on bytes that are not a block of the fork.
_DECODE_ERRORS = (rlp.exceptions.RLPException, ValidationError, ValueError, TypeError, IndexError, KeyError)


class Rejection(Exception):
    """A block fails a check of spec §4.6: the reason code and a human-readable detail."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason.label}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class StepInfo:
    """What one step did: for the per-block table and for conformance."""

    applied: bool  # False: the inbox was empty, S' = S
    number: int | None  # the block's number, when its header decoded
    status: Status
    reason: Reason
    detail: str  # why it was rejected ("" if accepted)
    gas_used: int
    transactions: int
    seconds: float  # A's time for the step, encoding of S' included
    encode_seconds: float  # the part of `seconds` spent encoding S'
    image: bytes  # encode(S'), computed anyway for the size check


@dataclass(slots=True)
class _Accepted:
    """A block that passed every check: its header bytes, the post-world and the commitments."""

    header_bytes: bytes
    world: World
    number: int
    gas_used: int
    transactions: int
    header: Any


@dataclass(frozen=True, slots=True)
class _Decoded:
    """A block that passed check 1: py-evm's block (ommers left out), its header fields and bytes."""

    block: Any
    header: Header
    header_bytes: bytes
    ommers_hash: bytes


def _decode_block(raw: bytes, fork: Fork, block_class: type) -> _Decoded:
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
    # Ommers are only a list here: checks 2 and 3 then require it to be empty (spec §4.6).
    without_ommers = rlpx.encode([header_item, transactions, [], withdrawals])
    try:
        block = rlp.decode(without_ommers, sedes=block_class)
    except _DECODE_ERRORS as exc:
        raise Rejection(Reason.MALFORMED, f"not a {fork.name.lower()} block: {exc}") from exc
    if rlp.encode(block) != without_ommers:
        raise Rejection(Reason.MALFORMED, "block does not re-encode to the same bytes")
    return _Decoded(block, header, rlpx.encode(header_item), keccak(rlpx.encode(ommers)))


def _check_header(
    state: EssentialState, block: Any, header_item: Header, parent: Any, vm_class: type
) -> None:
    """Check 2: the header against the parent (A's own rules first, then py-evm's validate_header)."""
    header = block.header
    if header.parent_hash != keccak(state.parent_header):
        raise Rejection(Reason.HEADER_INVALID, "parent_hash is not the hash of the parent header")
    if header.block_number != parent.block_number + 1:
        raise Rejection(
            Reason.HEADER_INVALID, f"number {header.block_number} does not follow {parent.block_number}"
        )
    try:
        check_ranges(header_item, state.fork)
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
    if state.fork >= Fork.CANCUN:
        if header.excess_blob_gas != excess_blob_gas(state.fork, parent):
            raise Rejection(Reason.HEADER_INVALID, "excess_blob_gas differs from EIP-4844's value")
        if header.blob_gas_used > MAX_BLOB_GAS[state.fork]:
            raise Rejection(Reason.HEADER_INVALID, "blob_gas_used above the fork's maximum")


def _check_body(block: Any, ommers_hash: bytes) -> None:
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


def _check_results(block: Any, mined: Any, fork: Fork) -> None:
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


class Machine:
    """Machine A with a warm cache: consecutive steps reuse py-evm's database instead of reloading S."""

    def __init__(self, s_size: int = DEFAULT_S_SIZE, verify: bool = False) -> None:
        self.s_size = s_size
        self.verify = verify  # recompute every post-state root from scratch (tests)
        self._world: World | None = None
        self.encoder = Encoder()  # reuses unchanged accounts' encodings between steps

    def world_for(self, state: EssentialState) -> World:
        """The loaded world of S: the cached one if S is the state this machine produced last."""
        if self._world is None or self._world.accounts is not state.accounts:
            self._world = World.load(state.accounts)
        return self._world

    def _apply(self, state: EssentialState, raw: bytes) -> _Accepted:
        """Run checks 1–7 on raw against state; raise Rejection or return the accepted result."""
        vm_class = machine_vm_class(state.fork)
        block_class = vm_class.get_block_class()
        header_class = dict(block_class._meta.fields)["header"]
        decoded = _decode_block(raw, state.fork, block_class)
        block = decoded.block
        parent = rlp.decode(state.parent_header, sedes=header_class)
        _check_header(state, block, decoded.header, parent, vm_class)
        _check_body(block, decoded.ommers_hash)
        world = self.world_for(state)
        world.db[parent.hash] = state.parent_header  # py-evm looks the parent header up by hash
        base = vm_class.create_header_from_parent(
            parent,
            timestamp=block.header.timestamp,
            gas_limit=block.header.gas_limit,
            coinbase=block.header.coinbase,
        ).copy(state_root=world.root, gas_used=block.header.gas_used)
        vm = vm_class(
            header=base,
            chaindb=ChainDB(world.db),
            chain_context=ChainContext(state.chain_id),
            consensus_context=ConsensusContext(world.db),
        )
        vm.ancestry = (parent.hash, *reversed(state.ancestor_hashes))
        try:
            mined = vm.import_block(block).block
        except (ValidationError, VMError) as exc:  # a VMError escapes py-evm only for a tx-level fault
            raise Rejection(Reason.TRANSACTION_INVALID, f"{type(exc).__name__}: {exc}") from exc
        _check_results(block, mined, state.fork)
        new_world = world.after_block(vm.state._account_db, mined.header.state_root)
        if self.verify and state_root_of(new_world.accounts) != mined.header.state_root:
            raise AssertionError("machine A lost track of the world state (rebuilt root differs)")
        return _Accepted(
            decoded.header_bytes,
            new_world,
            decoded.header.int("number"),
            mined.header.gas_used,
            len(block.transactions),
            mined.header,
        )

    def step(self, state: EssentialState) -> tuple[EssentialState, StepInfo]:
        """One step of A: apply the next inbox block, or return S unchanged if the inbox is exhausted."""
        start = time.perf_counter()
        if state.cursor >= len(state.inbox):
            image, encoding = _timed_encode(self.encoder, state)
            timing = _Timing(start, encoding, image)
            return state, timing.info(False, None, state.outcome.status, state.outcome.reason)
        raw = state.inbox[state.cursor]
        try:
            accepted = self._apply(state, raw)
        except Rejection as rejection:
            return self._rejected(state, rejection, _number_of(raw, state.fork), start)
        header = accepted.header
        outcome = Outcome(
            Status.ACCEPTED,
            Reason.NONE,
            header.gas_used,
            header.state_root,
            header.receipt_root,
            header.bloom.to_bytes(256, "big"),
            keccak(accepted.header_bytes),
        )
        next_state = state.with_changes(
            accounts=accepted.world.accounts,
            ancestor_hashes=(state.ancestor_hashes + (keccak(state.parent_header),))[-MAX_ANCESTORS:],
            parent_header=accepted.header_bytes,
            cursor=state.cursor + 1,
            outcome=outcome,
        )
        image, encoding = _timed_encode(self.encoder, next_state)
        if len(image) > self.s_size:
            detail = f"S' needs {len(image)} bytes, the S window holds {self.s_size}"
            return self._rejected(state, Rejection(Reason.STATE_TOO_LARGE, detail), accepted.number, start)
        self._world = accepted.world
        timing = _Timing(start, encoding, image)
        info = timing.info(
            True, accepted.number, Status.ACCEPTED, Reason.NONE, "", accepted.gas_used, accepted.transactions
        )
        return next_state, info

    def _rejected(
        self, state: EssentialState, rejection: Rejection, number: int | None, start: float
    ) -> tuple[EssentialState, StepInfo]:
        """S with the cursor advanced and a rejected outcome; the world is untouched."""
        next_state = state.with_changes(cursor=state.cursor + 1, outcome=Outcome.rejected(rejection.reason))
        image, encoding = _timed_encode(self.encoder, next_state)
        timing = _Timing(start, encoding, image)
        return next_state, timing.info(True, number, Status.REJECTED, rejection.reason, rejection.detail)


@dataclass(frozen=True, slots=True)
class _Timing:
    """When a step started, how long its encoding took, and the image: the common part of every StepInfo."""

    start: float
    encoding: float
    image: bytes

    def info(
        self,
        applied: bool,
        number: int | None,
        status: Status,
        reason: Reason,
        detail: str = "",
        gas_used: int = 0,
        transactions: int = 0,
    ) -> StepInfo:
        """The StepInfo of a step that ends now."""
        return StepInfo(
            applied,
            number,
            status,
            reason,
            detail,
            gas_used,
            transactions,
            time.perf_counter() - self.start,
            self.encoding,
            self.image,
        )


def _timed_encode(encoder: Encoder, state: EssentialState) -> tuple[bytes, float]:
    """encode(S) and how long it took (reported apart from execution)."""
    start = time.perf_counter()
    image = encoder.encode(state)
    return image, time.perf_counter() - start


def _number_of(raw: bytes, fork: Fork) -> int | None:
    """The block number of raw if its header decodes at all (for reports only)."""
    try:
        item = rlpx.decode(raw)
        return parse_header(item[0], fork).int("number") if isinstance(item, list) and item else None
    except (rlpx.RlpError, HeaderShapeError):
        return None


def step(state: EssentialState, s_size: int = DEFAULT_S_SIZE) -> tuple[EssentialState, StepInfo]:
    """A(S) without a warm cache: the pure function of the spec."""
    return Machine(s_size).step(state)
