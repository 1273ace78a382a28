"""The S image is canonical: round trips, stability, random mutations, and one test per decode rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s_strategies import states

from emulator.merkle import window_root
from fastvm import rlpx
from fastvm.codec import StateDecodeError, decode, encode, encode_payload, s_root
from fastvm.rlpx import int_bytes
from fastvm.state import FIELD as F
from fastvm.state import Account, EssentialState, Fork, Outcome, Reason

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@FAST
@given(states())
def test_decode_inverts_encode(state: EssentialState) -> None:
    assert decode(encode(state)) == state


@FAST
@given(states())
def test_encoding_is_stable_and_the_root_is_the_window_root(state: EssentialState) -> None:
    image = encode(state)
    assert encode(decode(image)) == image
    assert s_root(state) == window_root(image)


@FAST
@given(states(), st.integers(min_value=0, max_value=2**16 - 1), st.integers(min_value=1, max_value=255))
def test_a_mutated_image_is_refused_or_is_another_canonical_state(
    state: EssentialState, where: int, flip: int
) -> None:
    image = bytearray(encode(state))
    index = where % len(image)
    image[index] ^= flip
    try:
        other = decode(bytes(image))
    except StateDecodeError as exc:
        assert str(exc).startswith("S: ")
        return
    assert other != state
    assert encode(other) == bytes(image)


@FAST
@given(states(), st.integers(min_value=1, max_value=64))
def test_zero_padding_is_accepted_in_a_window(state: EssentialState, pad: int) -> None:
    image = encode(state)
    assert decode(image + bytes(pad), s_size=len(image) + pad) == state


# --- every decode rule, one case each ----------------------------------------------------------


def _base() -> EssentialState:
    """A state that uses every field: parent number 3, three ancestors, storage, a cursor inside the inbox."""
    return EssentialState(
        chain_id=1,
        fork=Fork.SHANGHAI,
        parent_header=_parent(3),
        ancestor_hashes=(b"\x01" * 32, b"\x02" * 32, b"\x03" * 32),
        accounts=(
            Account(b"\x0a" * 20, 1, 100, b"\x60\x00", ((1, 5), (7, 9))),
            Account(b"\x0b" * 20, 0, 0, b"", ()),
        ),
        inbox=(b"\xc0", b"garbage"),
        cursor=1,
        outcome=Outcome.rejected(Reason.HEADER_INVALID),
    )


def _parent(number: int, fields: int = 17) -> bytes:
    """A Shanghai-shaped header with the given number (and optionally a wrong field count)."""
    items = [
        b"\x00" * 32,
        b"\x00" * 32,
        b"\x00" * 20,
        b"\x00" * 32,
        b"\x00" * 32,
        b"\x00" * 32,
        b"\x00" * 256,
        b"",
        int_bytes(number),
        b"\x01",
        b"",
        b"\x05",
        b"",
        b"\x00" * 32,
        b"\x00" * 8,
        b"\x07",
        b"\x00" * 32,
    ]
    return rlpx.encode((items + [b""] * fields)[:fields])


def _image(items: list) -> bytes:
    """An S image around an arbitrary payload item."""
    payload = rlpx.encode(items)
    return (1).to_bytes(8, "little") + len(payload).to_bytes(8, "little") + payload


def _items() -> list:
    """The base state's payload as a mutable item tree."""
    items = rlpx.decode(encode_payload(_base()))
    assert isinstance(items, list)
    return items


def _edit(change: Callable[[list], None]) -> bytes:
    """The base image with one change applied to its payload items."""
    items = _items()
    change(items)
    return _image(items)


def _framed(change: Callable[[bytes], bytes]) -> bytes:
    """The base image with one change to its raw bytes."""
    return change(encode(_base()))


def _set(path: tuple[int, ...], value: object) -> Callable[[list], None]:
    """Replace the item at a path."""

    def change(items: list) -> None:
        """Walk the path and replace its last item."""
        node = items
        for index in path[:-1]:
            node = node[index]
        node[path[-1]] = value

    return change


def _set_payload_bytes(payload: bytes) -> bytes:
    """An image around raw payload bytes (not necessarily RLP)."""
    return (1).to_bytes(8, "little") + len(payload).to_bytes(8, "little") + payload


BAD_IMAGES: list[tuple[str, bytes, str]] = [
    ("short image", _framed(lambda b: b[:10]), "shorter than the 16-byte header"),
    ("wrong version", _framed(lambda b: b"\x02" + b[1:]), "format version 2"),
    ("length past the end", _framed(lambda b: b[:8] + (len(b)).to_bytes(8, "little") + b[16:]), "runs past"),
    ("nonzero padding", _framed(lambda b: b + b"\x00\x00\x01"), "nonzero byte at offset"),
    ("trailing payload bytes", _framed(lambda b: _set_payload_bytes(b[16:] + b"\x00")), "trailing bytes"),
    ("non-canonical single byte", _set_payload_bytes(b"\xc2\x81\x05"), "single byte below 0x80"),
    ("payload not 8 items", _edit(lambda i: i.pop()), "payload has 7 items"),
    ("chain id zero", _edit(_set((F["chain_id"],), b"")), "chain_id must be at least 1"),
    ("chain id leading zero", _edit(_set((F["chain_id"],), b"\x00\x01")), "leading zero byte"),
    ("unknown fork", _edit(_set((F["fork"],), b"\x04")), "fork 4 is not"),
    ("parent header field count", _edit(_set((F["parent_header"],), _parent(3, 16))), "header has 16 items"),
    ("parent number out of range", _edit(_set((F["parent_header"],), _parent(2**64))), "not below 2^64"),
    ("ancestor count", _edit(lambda i: i[F["ancestor_hashes"]].pop()), "ancestor_hashes has 2 hashes"),
    (
        "ancestor length",
        _edit(_set((F["ancestor_hashes"], 0), b"\x01" * 31)),
        "ancestor_hashes[0] has 31 bytes",
    ),
    ("accounts unsorted", _edit(lambda i: i[F["accounts"]].reverse()), "accounts[1].address is not above"),
    (
        "duplicate account",
        _edit(lambda i: i[F["accounts"]].__setitem__(1, i[F["accounts"]][0])),
        "accounts[1].address is not above",
    ),
    ("short address", _edit(_set((F["accounts"], 0, 0), b"\x0a" * 19)), "accounts[0].address has 19 bytes"),
    ("nonce too large", _edit(_set((F["accounts"], 0, 1), b"\x01" + b"\x00" * 8)), "accounts[0].nonce"),
    ("storage unsorted", _edit(lambda i: i[F["accounts"]][0][4].reverse()), "strictly ascending"),
    ("storage zero value", _edit(_set((F["accounts"], 0, 4, 0, 1), b"")), "value is zero"),
    ("inbox item a list", _edit(_set((F["inbox"], 0), [])), "inbox[0] is a list"),
    ("cursor past inbox", _edit(_set((F["cursor"],), b"\x03")), "cursor 3 is beyond"),
    ("unknown status", _edit(_set((F["outcome"], 0), b"\x03")), "outcome.status is not"),
    ("unknown reason", _edit(_set((F["outcome"], 1), b"\x0a")), "is not a rejection code"),
    (
        "rejected with a result",
        _edit(_set((F["outcome"], 2), b"\x05")),
        "must be empty unless the block was accepted",
    ),
    ("none with a reason", _edit(_set((F["outcome"], 0), b"")), "reason must be 0 when status is none"),
    (
        "accepted but inconsistent",
        _edit(
            lambda i: i.__setitem__(
                F["outcome"], [b"\x01", b"", b"\x01", b"\x00" * 32, b"\x00" * 32, b"\x00" * 256, b"\x00" * 32]
            )
        ),
        "disagrees with parent_header",
    ),
]


def test_the_base_state_is_valid() -> None:
    assert decode(encode(_base())) == _base()


@pytest.mark.parametrize(("image", "message"), [pytest.param(i, m, id=n) for n, i, m in BAD_IMAGES])
def test_each_decode_rule_has_its_own_error(image: bytes, message: str) -> None:
    with pytest.raises(StateDecodeError, match="^S: ") as info:
        decode(image)
    assert message in str(info.value)


def test_an_image_larger_than_the_window_is_refused() -> None:
    image = encode(_base())
    with pytest.raises(StateDecodeError, match="larger than the S window"):
        decode(image, s_size=len(image) - 1)


def test_a_payload_length_past_the_window_is_refused() -> None:
    image = encode(_base())
    claimed = (len(image)).to_bytes(8, "little")  # 16 + len(image) > the window of len(image) + 8 bytes
    with pytest.raises(StateDecodeError, match="runs past the S window"):
        decode(image[:8] + claimed + image[16:], s_size=len(image) + 8)
