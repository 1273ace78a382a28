"""S version 2 (spec §6.2): the codec inverts itself, refuses every non-canonical image with its own
message, and the inbox trie serves each block through its nodes alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.codec import StateDecodeError
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.header import HEADER_FIELDS
from fastvm.inbox_trie import InboxTrie, build_inbox
from fastvm.rlpx import int_bytes
from fastvm.state import MAX_ANCESTORS, Fork, Outcome, Reason
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry, Inbox
from tests.fastvm.s_strategies import states_v2

FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FAST
@given(states_v2())
def test_decode_inverts_encode(state: EssentialStateV2) -> None:
    image = encode_v2(state)
    assert decode_v2(image) == state
    assert encode_v2(decode_v2(image)) == image


@FAST
@given(states_v2(), st.integers(min_value=0, max_value=2**16 - 1), st.integers(min_value=1, max_value=255))
def test_a_mutated_image_is_refused_or_is_another_canonical_state(
    state: EssentialStateV2, where: int, flip: int
) -> None:
    image = bytearray(encode_v2(state))
    image[where % len(image)] ^= flip
    try:
        other = decode_v2(bytes(image))
    except StateDecodeError as exc:
        assert str(exc).startswith("S: ")
        return
    assert other != state
    assert encode_v2(other) == bytes(image)


def test_s_does_not_grow_with_the_world_or_the_chain() -> None:
    config = ChainConfig(1, (ForkEntry.with_defaults(Fork.SHANGHAI, 0),))
    parent = _header(Fork.SHANGHAI, number=10**6, timestamp=5)
    ancestors = tuple(bytes([i]) * 32 for i in range(MAX_ANCESTORS))
    state = EssentialStateV2(config, Inbox(b"\x11" * 32, 2**40), parent, ancestors, 2**39)
    assert len(encode_v2(state)) < 10 * 1024


# --- one message per rule --------------------------------------------------------------------------


def _header(fork: Fork, number: int = 3, timestamp: int = 20) -> bytes:
    """A fixed header of the fork."""
    items: list[bytes] = []
    for name, kind in HEADER_FIELDS[fork]:
        if isinstance(kind, int):
            items.append(bytes([len(items)]) * kind)
        elif kind == "bytes":
            items.append(b"")
        else:
            items.append(int_bytes({"number": number, "timestamp": timestamp}.get(name, 7)))
    return rlpx.encode(items)


SHANGHAI_TO_CANCUN = ChainConfig(
    1, (ForkEntry.with_defaults(Fork.SHANGHAI, 0), ForkEntry.with_defaults(Fork.CANCUN, 15_000))
)


def _base(**changes: object) -> EssentialStateV2:
    """A valid state on a Shanghai-to-Cancun schedule, its parent a Shanghai header."""
    state = EssentialStateV2(
        SHANGHAI_TO_CANCUN,
        Inbox(b"\x22" * 32, 4),
        _header(Fork.SHANGHAI),
        tuple(bytes([i]) * 32 for i in range(3)),
        1,
        Outcome.rejected(Reason.HEADER_INVALID),
    )
    return state.with_changes(**changes)


def _raw(payload_items: list) -> bytes:
    """An image around a hand-made payload."""
    payload = rlpx.encode(payload_items)
    return (2).to_bytes(8, "little") + len(payload).to_bytes(8, "little") + payload


def _items(state: EssentialStateV2) -> list:
    """The payload of a state as decoded RLP items, to be broken one rule at a time."""
    return rlpx.decode(encode_v2(state)[16:])


def _with(index: int, value: object) -> bytes:
    """The base state's payload with item `index` replaced."""
    items = _items(_base())
    items[index] = value
    return _raw(items)


def _config_with(index: int, value: object) -> bytes:
    """The base state's payload with config item `index` replaced."""
    items = _items(_base())
    items[0][index] = value
    return _raw(items)


def _entry_with(entry: int, index: int, value: bytes) -> bytes:
    """The base state's payload with field `index` of schedule entry `entry` replaced."""
    items = _items(_base())
    items[0][1][entry][index] = value
    return _raw(items)


CASES = [
    (b"\x02" + bytes(7), "shorter than the 16-byte header"),
    ((1).to_bytes(8, "little") + encode_v2(_base())[8:], "format version 1, expected 2"),
    (encode_v2(_base())[:-1], "runs past"),
    (encode_v2(_base()) + b"\x01", "nonzero byte at offset"),
    (_raw(_items(_base())[:5]), "payload has 5 items, expected 6"),
    (_config_with(0, b""), "config.chain_id must be at least 1"),
    (_config_with(1, []), "config.forks is empty"),
    (_entry_with(0, 0, b"\x07"), "config.forks[0].fork 7 is not"),
    (_entry_with(1, 1, b""), "config.forks[1] is not after the previous entry"),
    (_entry_with(0, 3, b"\x06"), "a shanghai entry has no blob parameters"),
    (_entry_with(1, 4, b""), "blob parameters need"),
    (_entry_with(1, 2, b"\x07"), "blob parameters need"),
    (_config_with(2, b"\x01" * 20), "config.deposit_contract has 20 bytes, expected empty"),
    (_with(1, [b"\x22" * 31, b"\x04"]), "inbox.root has 31 bytes, expected 32"),
    (_with(2, b"\x05"), "cursor 5 is beyond the inbox of 4 blocks"),
    (_with(3, _header(Fork.CANCUN)), "parent_header: header has 20 items, a shanghai header has 17"),
    (_with(3, _header(Fork.SHANGHAI, timestamp=15_000)), "parent_header: header has 17 items, a cancun"),
    (_with(4, [b"\x01" * 32]), "ancestor_hashes has 1 hashes, expected min(255, parent number) = 3"),
    (_with(5, [b"\x02", b"\x28", b"", b"", b"", b"", b""]), "outcome.reason 40 is not a rejection code"),
]


def test_the_base_state_is_valid() -> None:
    assert decode_v2(encode_v2(_base())) == _base()


@pytest.mark.parametrize("image, message", CASES, ids=[m for _, m in CASES])
def test_each_decode_rule_has_its_own_error(image: bytes, message: str) -> None:
    with pytest.raises(StateDecodeError, match="^S: .*" + re.escape(message)):
        decode_v2(image)


def test_a_parent_before_the_first_fork_is_refused() -> None:
    late = ChainConfig(1, (ForkEntry.with_defaults(Fork.SHANGHAI, 100),))
    with pytest.raises(StateDecodeError, match="before the schedule's first fork"):
        decode_v2(encode_v2(_base(config=late)))


def test_a_prague_schedule_needs_the_deposit_contract() -> None:
    prague = ChainConfig(1, (ForkEntry.with_defaults(Fork.PRAGUE, 0),))
    state = _base(config=prague, parent_header=_header(Fork.PRAGUE))
    with pytest.raises(StateDecodeError, match="expected 20 bytes"):
        decode_v2(encode_v2(state))
    with_contract = state.with_changes(config=ChainConfig(1, prague.forks, b"\x42" * 20))
    assert decode_v2(encode_v2(with_contract)) == with_contract


# --- the schedule and the inbox -----------------------------------------------------------------


def test_fork_at_follows_the_schedule() -> None:
    assert [SHANGHAI_TO_CANCUN.fork_at(t) for t in (0, 14_999, 15_000, 2**64 - 1)] == [
        Fork.SHANGHAI,
        Fork.SHANGHAI,
        Fork.CANCUN,
        Fork.CANCUN,
    ]
    assert ChainConfig(1, (ForkEntry.with_defaults(Fork.CANCUN, 10),)).fork_at(9) is None
    assert SHANGHAI_TO_CANCUN.entry_at(15_000).blob_max == 6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=40))
def test_the_inbox_trie_serves_every_block_from_its_path_alone(blocks: list[bytes]) -> None:
    inbox, nodes = build_inbox(blocks)
    assert inbox.length == len(blocks)
    for index, raw in enumerate(blocks):
        path = InboxTrie(nodes, inbox).proof(index)
        # only the path's nodes (those of 32 bytes or more are stored by hash; shorter ones are embedded)
        witness = {keccak(node): node for node in path if len(node) >= 32}
        witness.setdefault(keccak(path[0]), path[0])
        assert InboxTrie(witness, inbox).block(index) == raw


def test_appending_is_one_insertion_and_changes_the_root() -> None:
    inbox, nodes = build_inbox([b"one", b"two"])
    trie = InboxTrie(dict(nodes), inbox)
    longer = trie.append(b"three")
    assert longer.length == 3 and longer.root != inbox.root
    assert build_inbox([b"one", b"two", b"three"])[0] == longer
    with pytest.raises(IndexError, match="outside 0..2"):
        trie.block(3)
