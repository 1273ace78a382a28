"""The incremental encoder and S-root cache give exactly the plain encode() and window_root()."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s_strategies import accounts, states

from emulator.merkle import window_root
from fastvm.codec import Encoder, encode
from fastvm.machine import Machine
from fastvm.sroot import RootCache
from fastvm.state import EssentialState
from fastvm.workloads import workload


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(states(), accounts())
def test_the_encoder_equals_encode_when_states_share_accounts(first: EssentialState, fresh: tuple) -> None:
    kept = {a.address: a for a in first.accounts[::2]}  # the same Account objects as in `first`
    kept.update({a.address: a for a in fresh})
    second = first.with_changes(accounts=tuple(kept[address] for address in sorted(kept)))
    encoder = Encoder()
    assert encoder.encode(first) == encode(first)
    assert encoder.encode(second) == encode(second)
    assert encoder.encode(first) == encode(first)


def test_the_encoder_equals_encode_along_a_chain_with_large_storage() -> None:
    state = workload("erc20", Encoder.LARGE_STORAGE * 2, 2, 5)
    machine = Machine()
    while state.pending:
        state, info = machine.step(state)
        assert info.image == encode(state)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=20_000), min_size=1, max_size=4), st.data())
def test_the_root_cache_equals_window_root(images: list[bytes], data: st.DataObject) -> None:
    cache = RootCache()
    for image in images:
        edited = bytearray(image)
        if edited:  # also a one-byte edit of the same image, the case the cache is for
            index = data.draw(st.integers(min_value=0, max_value=len(edited) - 1))
            edited[index] ^= 0xFF
        for candidate in (image, bytes(edited)):
            assert cache.root(candidate) == window_root(candidate)


@settings(max_examples=100, deadline=None)
@given(
    st.binary(max_size=9_000),
    st.lists(st.tuples(st.integers(0, 9_000), st.binary(max_size=300), st.integers(0, 40)), max_size=6),
)
def test_the_root_cache_follows_edits_growth_and_shrinking(start: bytes, edits: list) -> None:
    cache, image = RootCache(), start
    assert cache.root(image) == window_root(image)
    for where, insert, remove in edits:  # splice: remove some bytes at `where`, insert others
        where = min(where, len(image))
        image = image[:where] + insert + image[where + remove :]
        assert cache.root(image) == window_root(image)
