"""A chain as real tools exchange it: a genesis file and the concatenated RLP blocks of `geth export`.

CHAIN.rlp holds whole blocks back to back (gzip-compressed when geth wrote a .gz), block 0 included;
hive's chain.rlp holds them the same way. A leading block that is the genesis itself is skipped.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, replace
from pathlib import Path

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.genesis import Genesis
from fastvm.state import EssentialState

NUMBER, TIMESTAMP = 8, 11   # header item positions (spec §4.3)
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Block:
    """One block of a chain file: its RLP, header hash, number and timestamp."""

    rlp: bytes
    hash: bytes
    number: int
    timestamp: int


def read_blocks(path: Path) -> list[Block]:
    """Every block of a chain file, in file order."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SwapvmError(f"chain: cannot read {path}: {exc.strerror}") from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SwapvmError(f"chain: {path} is not valid gzip ({exc})") from None
    try:
        items = rlpx.split(raw, str(path))
    except rlpx.RlpError as exc:
        raise SwapvmError(f"chain: {exc}") from None
    return [_block(item, f"{path}: block {index} of the file") for index, item in enumerate(items)]


def _block(item: bytes, where: str) -> Block:
    """A block's header facts from its RLP."""
    block = rlpx.decode(item, where)
    header = block[0] if isinstance(block, list) and block else None
    if not isinstance(header, list) or len(header) <= TIMESTAMP or any(
        not isinstance(header[i], bytes) for i in (NUMBER, TIMESTAMP)
    ):
        raise SwapvmError(f"chain: {where} is not a block [header, transactions, ommers, …]")
    number, timestamp = (int.from_bytes(header[i], "big") for i in (NUMBER, TIMESTAMP))
    return Block(item, keccak(rlpx.encode(header)), number, timestamp)


def after_genesis(blocks: list[Block], genesis_hash: bytes) -> list[Block]:
    """The blocks without a leading genesis; a block 0 that is another genesis is refused."""
    if blocks and blocks[0].hash == genesis_hash:
        return blocks[1:]
    if blocks and blocks[0].number == 0:
        raise SwapvmError(f"chain: block 0 of the file is not this genesis (hash 0x{blocks[0].hash.hex()}, "
                          f"the genesis file gives 0x{genesis_hash.hex()})")
    return blocks


def select(blocks: list[Block], first: int | None, last: int | None) -> list[Block]:
    """The blocks numbered up to `last` (all when None); `first` must name one of them."""
    chosen = [block for block in blocks if last is None or block.number <= last]
    if first is not None and not any(block.number >= first for block in chosen):
        numbers = f"{chosen[0].number}..{chosen[-1].number}" if chosen else "none"
        raise SwapvmError(f"--from {first}: no block numbered {first} or later (the file holds {numbers})")
    return chosen


def check_one_fork(genesis: Genesis, blocks: list[Block]) -> None:
    """Refuse a chain that crosses a fork time: S holds one fork per chain (spec §4.2)."""
    for key, time in genesis.later_forks:
        crossing = next((block for block in blocks if block.timestamp >= time), None)
        if crossing is not None:
            raise SwapvmError(
                f"chain: block {crossing.number} (timestamp {crossing.timestamp}) is past config.{key} = "
                f"{time}: the chain switches from {genesis.fork.name.title()} mid-chain, and S holds one "
                "fork per chain for now (spec §4.2)"
            )


def state_from_genesis(genesis: Genesis, blocks: list[Block], first: int | None = None,
                       last: int | None = None) -> EssentialState:
    """S0 of a genesis with the file's blocks in the inbox (up to `last`).

    With `first`, A applies the blocks numbered below it first, so the state returned is the one
    the first chosen block starts from (its cursor points at that block)."""
    chosen, below = chosen_blocks(genesis, blocks, first, last)
    check_one_fork(genesis, chosen)
    state = EssentialState(chain_id=genesis.chain_id, fork=genesis.fork, parent_header=genesis.header,
                           accounts=genesis.accounts, inbox=tuple(block.rlp for block in chosen))
    return skip_to(state, below)


def chosen_blocks(genesis: Genesis, blocks: list[Block], first: int | None = None,
                  last: int | None = None) -> tuple[list[Block], int]:
    """The file's blocks after the genesis up to `last`, and how many come before the first one to check."""
    chosen = select(after_genesis(blocks, genesis.hash), first, last)
    return chosen, below_first(chosen, first)


def append_blocks(state: EssentialState, blocks: list[Block], first: int | None = None,
                  last: int | None = None) -> EssentialState:
    """S with the file's blocks after its inbox: a leading block 0 and blocks already there are skipped."""
    known = set(state.inbox)
    fresh = [block for block in blocks if block.number != 0 and block.rlp not in known]
    chosen = select(fresh, first, last)
    appended = replace(state, inbox=state.inbox + tuple(block.rlp for block in chosen))
    cursor = len(state.inbox) + below_first(chosen, first) if first is not None else state.cursor
    return skip_to(appended, cursor)


def below_first(chosen: list[Block], first: int | None) -> int:
    """How many chosen blocks come before the first one numbered `first` or later (0 without --from)."""
    if first is None:
        return 0
    return next(index for index, block in enumerate(chosen) if block.number >= first)


def skip_to(state: EssentialState, cursor: int) -> EssentialState:
    """Apply A until the state's cursor reaches `cursor`: the blocks before it are run, not re-checked."""
    if cursor <= state.cursor:
        return state
    from fastvm.machine import Machine

    machine = Machine()
    while state.cursor < cursor:
        state, _info = machine.step(state)
    return state
