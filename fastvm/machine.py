"""Machine A: S' = A(S) applies the next inbox block with py-evm, checking it in the order of spec §4.6."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import rlp
from eth.consensus.context import ConsensusContext
from eth.db.chain import ChainDB
from eth.exceptions import VMError
from eth.vm.chain_context import ChainContext
from eth_utils import ValidationError

from emulator.layout import DEFAULT_S_SIZE
from emulator.merkle import keccak
from fastvm.checks import (
    Rejection,
    check_blob_gas,
    check_body,
    check_chain_ids,
    check_header,
    check_results,
    decode_block,
    number_of,
)
from fastvm.codec import Encoder
from fastvm.forks import machine_vm_class
from fastvm.live import LiveBudgetExceeded
from fastvm.state import MAX_ANCESTORS, EssentialState, Fork, Outcome, Reason, Status
from fastvm.world import World, state_root_of


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


class Machine:
    """Machine A with a warm cache: consecutive steps reuse py-evm's database instead of reloading S."""

    def __init__(
        self, s_size: int = DEFAULT_S_SIZE, verify: bool = False, live_budget: int | None = None
    ) -> None:
        self.s_size = s_size
        self.live_budget = live_budget  # None: LIVE_BUDGET (spec §4.9); tests set a small one
        self.live_total = 0  # the last block's count of live bytes (measurement and tests)
        self.verify = verify  # recompute every post-state root from scratch (tests)
        self._world: World | None = None
        self.encoder = Encoder()  # reuses unchanged accounts' encodings between steps

    def world_for(self, state: EssentialState) -> World:
        """The loaded world of S: the cached one if S is the state this machine produced last."""
        if self._world is None or self._world.accounts is not state.accounts:
            self._world = World.load(state.accounts)
        return self._world

    def vm_class_of(self, fork: Fork) -> type:
        """The py-evm VM class A applies a block of fork with (fastvm/trace.py substitutes a tracing one)."""
        if self.live_budget is None:
            return machine_vm_class(fork)
        return machine_vm_class(fork, self.live_budget)

    def header_class_of(self, fork: Fork) -> type:
        """py-evm's header class of fork (a parent header is decoded under its own fork)."""
        block_class = self.vm_class_of(fork).get_block_class()
        return dict(block_class._meta.fields)["header"]

    def _apply(self, state: EssentialState, raw: bytes, fork: Fork, parent_fork: Fork) -> _Accepted:
        """Run checks 1–7 on raw against state; raise Rejection or return the accepted result.

        `fork` is the block's, `parent_fork` the parent header's: equal in S version 1 (one fork per
        chain); in version 2 the first block of a fork has a parent of the previous one (spec §6.3)."""
        vm_class = self.vm_class_of(fork)
        block_class = vm_class.get_block_class()
        decoded = decode_block(raw, fork, block_class)
        block = decoded.block
        parent = rlp.decode(state.parent_header, sedes=self.header_class_of(parent_fork))
        check_header(state, block, decoded.header, parent, vm_class, fork)
        check_body(block, decoded.ommers_hash)
        check_chain_ids(block, state.chain_id)
        check_blob_gas(block, fork)
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
            self.live_total = vm.state.live.total
            raise Rejection(Reason.TRANSACTION_INVALID, f"{type(exc).__name__}: {exc}") from exc
        except LiveBudgetExceeded as exc:
            self.live_total = vm.state.live.total
            raise Rejection(Reason.LIVE_BUDGET, str(exc)) from exc
        self.live_total = vm.state.live.total
        check_results(block, mined, fork)
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

    def step(self, state: EssentialState, fork: Fork | None = None,
             parent_fork: Fork | None = None) -> tuple[EssentialState, StepInfo]:
        """One step of A: apply the next inbox block, or return S unchanged if the inbox is exhausted.

        The block's fork and its parent's default to S's one fork (version 1); S version 2 gives
        each from its schedule (fastvm/export_v2.py)."""
        self.live_total = 0
        fork = state.fork if fork is None else fork
        parent_fork = fork if parent_fork is None else parent_fork
        start = time.perf_counter()
        if state.cursor >= len(state.inbox):
            image, encoding = _timed_encode(self.encoder, state)
            timing = _Timing(start, encoding, image)
            return state, timing.info(False, None, state.outcome.status, state.outcome.reason)
        raw = state.inbox[state.cursor]
        try:
            accepted = self._apply(state, raw, fork, parent_fork)
        except Rejection as rejection:
            return self._rejected(state, rejection, number_of(raw, fork), start)
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


def step(state: EssentialState, s_size: int = DEFAULT_S_SIZE) -> tuple[EssentialState, StepInfo]:
    """A(S) without a warm cache: the pure function of the spec."""
    return Machine(s_size).step(state)
