"""Hypothesis strategies for essential states: random but always canonical and internally consistent."""

from __future__ import annotations

from hypothesis import strategies as st

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.header import HEADER_FIELDS
from fastvm.rlpx import int_bytes
from fastvm.state import MAX_ANCESTORS, Account, EssentialState, Fork, Outcome, Reason, Status
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry, Inbox

uint64 = st.integers(min_value=0, max_value=2**64 - 1)
uint256 = st.integers(min_value=0, max_value=2**256 - 1)
small_or_big = st.one_of(st.integers(min_value=0, max_value=300), uint256)


@st.composite
def accounts(draw: st.DrawFn, max_size: int = 6) -> tuple[Account, ...]:
    """Accounts with unique addresses, sorted, storage sorted without zero values."""
    addresses = draw(st.lists(st.binary(min_size=20, max_size=20), unique=True, max_size=max_size))
    result = []
    for address in sorted(addresses):
        storage = draw(
            st.dictionaries(small_or_big, st.integers(min_value=1, max_value=2**256 - 1), max_size=4)
        )
        result.append(
            Account(
                address=address,
                nonce=draw(st.one_of(st.just(0), uint64)),
                balance=draw(st.one_of(st.just(0), uint256)),
                code=draw(st.binary(max_size=40)),
                storage=tuple(sorted(storage.items())),
            )
        )
    return tuple(result)


@st.composite
def header_bytes(draw: st.DrawFn, fork: Fork) -> bytes:
    """The RLP of a random header of the fork (every field of its type and range)."""
    items: list[bytes] = []
    for name, kind in HEADER_FIELDS[fork]:
        if isinstance(kind, int):
            items.append(draw(st.binary(min_size=kind, max_size=kind)))
        elif kind == "bytes":
            items.append(draw(st.binary(max_size=40)))
        elif name == "number":
            items.append(int_bytes(draw(st.integers(min_value=0, max_value=600))))
        else:
            items.append(int_bytes(draw(uint64 if kind == "int64" else uint256)))
    return rlpx.encode(items)


def _parent_fields(parent: bytes) -> dict[str, bytes]:
    """The raw fields of a header by name."""
    items = rlpx.decode(parent)
    assert isinstance(items, list)
    return {name: items[i] for i, (name, _) in enumerate(HEADER_FIELDS[Fork.SHANGHAI])}


@st.composite
def outcomes(draw: st.DrawFn, parent: bytes) -> Outcome:
    """None, rejected with any code, or accepted and consistent with the parent header."""
    status = draw(st.sampled_from(Status))
    if status == Status.NONE:
        return Outcome()
    if status == Status.REJECTED:
        return Outcome.rejected(draw(st.sampled_from([r for r in Reason if r != Reason.NONE])))
    fields = _parent_fields(parent)
    return Outcome(
        status=Status.ACCEPTED,
        gas_used=int.from_bytes(fields["gas_used"], "big"),
        state_root=fields["state_root"],
        receipts_root=fields["receipts_root"],
        logs_bloom=fields["logs_bloom"],
        block_hash=keccak(parent),
    )


@st.composite
def states(draw: st.DrawFn) -> EssentialState:
    """A random canonical S."""
    fork = draw(st.sampled_from(Fork))
    parent = draw(header_bytes(fork))
    number = int.from_bytes(_parent_fields(parent)["number"], "big")
    ancestors = tuple(
        draw(
            st.lists(
                st.binary(min_size=32, max_size=32),
                min_size=min(MAX_ANCESTORS, number),
                max_size=min(MAX_ANCESTORS, number),
            )
        )
    )
    inbox = tuple(draw(st.lists(st.binary(max_size=80), max_size=4)))
    return EssentialState(
        chain_id=draw(st.integers(min_value=1, max_value=2**64 - 1)),
        fork=fork,
        parent_header=parent,
        ancestor_hashes=ancestors,
        accounts=draw(accounts()),
        inbox=inbox,
        cursor=draw(st.integers(min_value=0, max_value=len(inbox))),
        outcome=draw(outcomes(parent)),
    )


# --- S version 2 (spec §6.2) ---


@st.composite
def configs(draw: st.DrawFn) -> ChainConfig:
    """A schedule of 1-3 consecutive forks at strictly ascending times, with valid blob parameters."""
    first = draw(st.sampled_from(Fork))
    last = draw(st.sampled_from([f for f in Fork if f >= first]))
    times = sorted(draw(st.lists(uint64, min_size=last - first + 1, max_size=last - first + 1, unique=True)))
    entries = []
    for fork, time in zip(range(first, last + 1), times, strict=True):
        if fork >= Fork.CANCUN:
            maximum = draw(st.integers(min_value=1, max_value=30))
            blobs = (draw(st.integers(min_value=0, max_value=maximum)), maximum, draw(st.integers(1, 2**24)))
        else:
            blobs = (0, 0, 0)
        entries.append(ForkEntry(Fork(fork), time, *blobs))
    deposit = draw(st.binary(min_size=20, max_size=20)) if last >= Fork.PRAGUE else b""
    return ChainConfig(draw(st.integers(min_value=1, max_value=2**64 - 1)), tuple(entries), deposit)


@st.composite
def header_at(draw: st.DrawFn, config: ChainConfig) -> bytes:
    """A random header whose timestamp lies in the schedule, of the fork active then."""
    entry = draw(st.sampled_from(config.forks))
    following = [e.time for e in config.forks if e.time > entry.time]
    last = (following[0] - 1) if following else 2**64 - 1
    timestamp = draw(st.integers(min_value=entry.time, max_value=last))
    items: list[bytes] = []
    for name, kind in HEADER_FIELDS[entry.fork]:
        if isinstance(kind, int):
            items.append(draw(st.binary(min_size=kind, max_size=kind)))
        elif kind == "bytes":
            items.append(draw(st.binary(max_size=32)))
        elif name == "number":
            items.append(int_bytes(draw(st.integers(min_value=0, max_value=600))))
        elif name == "timestamp":
            items.append(int_bytes(timestamp))
        else:
            items.append(int_bytes(draw(uint64 if kind == "int64" else uint256)))
    return rlpx.encode(items)


@st.composite
def states_v2(draw: st.DrawFn) -> EssentialStateV2:
    """A random canonical S version 2."""
    config = draw(configs())
    parent = draw(header_at(config))
    number = int.from_bytes(rlpx.decode(parent)[8], "big")
    n_ancestors = min(MAX_ANCESTORS, number)
    hashes = st.lists(st.binary(min_size=32, max_size=32), min_size=n_ancestors, max_size=n_ancestors)
    ancestors = tuple(draw(hashes))
    length = draw(st.integers(min_value=0, max_value=2**64 - 1))
    inbox = Inbox(draw(st.binary(min_size=32, max_size=32)), length)
    cursor = draw(st.integers(min_value=0, max_value=min(length, 2**64 - 1)))
    return EssentialStateV2(config, inbox, parent, ancestors, cursor, draw(outcomes(parent)))
