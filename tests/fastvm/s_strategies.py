"""Hypothesis strategies for essential states: random but always canonical and internally consistent."""

from __future__ import annotations

from hypothesis import strategies as st

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.header import HEADER_FIELDS
from fastvm.rlpx import int_bytes
from fastvm.state import MAX_ANCESTORS, Account, EssentialState, Fork, Outcome, Reason, Status

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
