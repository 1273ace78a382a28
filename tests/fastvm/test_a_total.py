"""A is total: arbitrary bytes, random RLP and corrupted valid blocks give an outcome, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastvm import rlpx
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork, Status

KEY = b"\x33" * 32
_ACCOUNTS = (Account(address_of(KEY), balance=10**20),)
_GENESIS = EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, _ACCOUNTS), accounts=_ACCOUNTS)
VALID = build_chain(_GENESIS, [[Tx(KEY, b"\x44" * 20, 5), Tx(KEY, None, gas=60_000, data=b"\x60\x00")]])
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
items = st.recursive(st.binary(max_size=40), lambda children: st.lists(children, max_size=6), max_leaves=30)


def _apply(raw: bytes) -> None:
    """Apply raw as the only block; a rejection must leave everything but cursor and outcome alone."""
    state = VALID.with_changes(inbox=(raw,), cursor=0)
    after, info = Machine().step(state)
    assert after.cursor == 1
    if info.status == Status.REJECTED:
        assert after == state.with_changes(cursor=1, outcome=after.outcome)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_an_outcome(raw: bytes) -> None:
    _apply(raw)


@SETTINGS
@given(items)
def test_random_rlp_is_an_outcome(item: object) -> None:
    _apply(rlpx.encode(item))


@SETTINGS
@given(st.data())
def test_a_corrupted_valid_block_is_an_outcome(data: st.DataObject) -> None:
    raw = bytearray(VALID.inbox[0])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
        raw[index] = data.draw(st.integers(min_value=0, max_value=255))
    _apply(bytes(raw))
