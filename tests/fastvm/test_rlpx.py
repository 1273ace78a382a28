"""The strict RLP codec of S agrees with pyrlp on canonical data and refuses every non-canonical form."""

from __future__ import annotations

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st

from fastvm import rlpx

items = st.recursive(st.binary(max_size=70), lambda children: st.lists(children, max_size=5), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(items)
def test_encode_agrees_with_pyrlp_and_decode_inverts_it(item: object) -> None:
    encoded = rlpx.encode(item)
    assert encoded == rlp.encode(item)
    assert rlpx.decode(encoded) == item


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x81\x05", "single byte below 0x80 encoded as a string"),
        (b"\xb8\x05hello", "long form used for a length of 5"),
        (b"\xb9\x00\x38" + b"a" * 56, "leading zero byte"),
        (b"\x83ab", "runs past its enclosing item"),
        (b"\xc2\x83abc", "runs past its enclosing item"),
        (b"\x05\x06", "1 trailing bytes"),
        (b"", "missing item"),
        (b"\xb9\x01", "length field runs past the end"),
    ],
)
def test_non_canonical_input_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(rlpx.RlpError) as info:
        rlpx.decode(data)
    assert message in str(info.value)
