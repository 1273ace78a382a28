"""The guest's RLP decoder and encoder (guest/src/rlp.c) against the `rlp` package.

Valid items decode to the same tree and re-encode to the same bytes; random and mutated byte
strings are accepted exactly when the strict Python decoder accepts them; each canonical rule
is rejected with its own error code; and the native driver never crashes (it runs under
ASan/UBSan and its exit status is checked when the session ends).
"""

from __future__ import annotations

import rlp
from core_driver import (
    OP_RLP_DECODE,
    OP_RLP_ENCODE,
    OP_RLP_FIXED,
    OP_RLP_LIST_EXACT,
    OP_RLP_PUT_U64,
    OP_RLP_PUT_UINT,
    OP_RLP_U64,
    OP_RLP_UINT,
    RLP_ERR_COUNT,
    RLP_ERR_INT_LEADING_ZERO,
    RLP_ERR_INT_TOO_BIG,
    RLP_ERR_KIND,
    RLP_ERR_LEN_LEADING_ZERO,
    RLP_ERR_NONCANON_LONG,
    RLP_ERR_NONCANON_SINGLE,
    RLP_ERR_SIZE,
    RLP_ERR_TRAILING,
    RLP_ERR_TRUNCATED,
    NativeDriver,
    RlpTree,
    blob,
    dump_tree,
)
from hypothesis import given, settings
from hypothesis import strategies as st

trees: st.SearchStrategy[RlpTree] = st.recursive(
    st.one_of(st.binary(max_size=3), st.binary(min_size=50, max_size=70), st.binary(max_size=300)),
    lambda kids: st.lists(kids, max_size=6),
    max_leaves=25,
)


def python_decode(data: bytes) -> RlpTree | None:
    """Oracle: the strict `rlp` decoder; None when it rejects."""
    try:
        return rlp.decode(data, strict=True)
    except rlp.exceptions.DecodingError:
        return None


def check_against_python(core: NativeDriver, data: bytes) -> None:
    """The driver accepts exactly what Python accepts, with the same tree."""
    status, out = core.call(OP_RLP_DECODE, data)
    expected = python_decode(data)
    if expected is None:
        assert status != 0, data.hex()
    else:
        assert (status, out) == (0, dump_tree(expected)), data.hex()


@settings(max_examples=200, deadline=None)
@given(tree=trees)
def test_valid_items_round_trip(core: NativeDriver, tree: RlpTree) -> None:
    enc = rlp.encode(tree)
    assert core.call(OP_RLP_DECODE, enc) == (0, dump_tree(tree))
    assert core.call(OP_RLP_ENCODE, dump_tree(tree)) == (0, enc)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=80))
def test_random_bytes_agree_with_python(core: NativeDriver, data: bytes) -> None:
    check_against_python(core, data)


# Headers near every boundary of the format (short and long forms, 55/56, one-byte strings)
# followed by small length bytes and payloads of boundary sizes, so that each canonical rule is
# reached on purpose, not only by chance.
BOUNDARY_PREFIXES = [0x00, 0x7F, 0x80, 0x81, 0x82, 0xB7, 0xB8, 0xB9, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xF7,
                     0xF8, 0xF9, 0xFA, 0xFF]
LENGTH_BYTES = [0, 1, 2, 0x37, 0x38, 0x39, 0x40, 0x7F, 0x80, 0xFF]
BODY_SIZES = [0, 1, 2, 54, 55, 56, 57, 64]


def test_every_boundary_header_agrees_with_python(core: NativeDriver) -> None:
    """Exhaustive: each prefix, with 0-2 length bytes from LENGTH_BYTES, and bodies of each size."""
    length_fields = [b""] + [bytes([a]) for a in LENGTH_BYTES] + [bytes([a, b]) for a in LENGTH_BYTES
                                                                  for b in LENGTH_BYTES]
    for p in BOUNDARY_PREFIXES:
        for lf in length_fields:
            for n in BODY_SIZES:
                check_against_python(core, bytes([p]) + lf + bytes((0x81 + i) & 0xFF for i in range(n)))


header_pieces = st.builds(
    lambda p, lens, body: bytes([p]) + bytes(lens) + body,
    st.sampled_from(BOUNDARY_PREFIXES),
    st.lists(st.sampled_from(LENGTH_BYTES), max_size=2),
    st.sampled_from(BODY_SIZES).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
)


@settings(max_examples=300, deadline=None)
@given(data=st.lists(header_pieces, min_size=1, max_size=4).map(b"".join))
def test_concatenated_boundary_pieces_agree_with_python(core: NativeDriver, data: bytes) -> None:
    check_against_python(core, data)


@settings(max_examples=300, deadline=None)
@given(tree=trees, where=st.integers(0, 10**6), byte=st.integers(0, 255),
       how=st.sampled_from(["set", "cut", "append", "insert"]))
def test_mutated_encodings_agree_with_python(core: NativeDriver, tree: RlpTree, where: int, byte: int,
                                             how: str) -> None:
    enc = bytearray(rlp.encode(tree))
    i = where % (len(enc) + 1)
    if how == "set" and i < len(enc):
        enc[i] = byte
    elif how == "cut":
        del enc[i:]
    elif how == "append":
        enc.append(byte)
    else:
        enc.insert(i, byte)
    check_against_python(core, bytes(enc))


def test_each_rule_has_its_error(core: NativeDriver) -> None:
    cases = {
        b"": RLP_ERR_TRUNCATED,
        b"\x83ab": RLP_ERR_TRUNCATED,                       # payload past the end
        b"\xc1\x82": RLP_ERR_TRUNCATED,                     # an item crossing its list's end
        b"\xb9\x01": RLP_ERR_TRUNCATED,                     # length of length past the end
        b"\x81\x05": RLP_ERR_NONCANON_SINGLE,               # a byte < 0x80 wrapped
        b"\xb8\x05hello": RLP_ERR_NONCANON_LONG,            # long form for 5 bytes
        b"\xf8\x01\x80": RLP_ERR_NONCANON_LONG,             # long list form for 1 byte
        b"\xb9\x00\x40" + bytes(64): RLP_ERR_LEN_LEADING_ZERO,
        b"\xf9\x00\x40" + b"\x80" * 64: RLP_ERR_LEN_LEADING_ZERO,
        b"\x01\x02": RLP_ERR_TRAILING,
        b"\xc2\x80\x80\x80": RLP_ERR_TRAILING,
        b"\xc3\x81\x05\x80": RLP_ERR_NONCANON_SINGLE,       # rules hold inside lists too
        b"\xbf" + b"\xff" * 8: RLP_ERR_TRUNCATED,           # an absurd 8-byte length
    }
    for data, err in cases.items():
        assert core.call(OP_RLP_DECODE, data) == (err, b""), data.hex()
        assert python_decode(data) is None, data.hex()  # the oracle rejects them all too


def test_boundary_lengths(core: NativeDriver) -> None:
    """Payload lengths 0, 1, 55 (last short form), 56 (first long form), 255, 256, 65536."""
    for n in [0, 1, 2, 55, 56, 57, 255, 256, 1024, 65536]:
        for tree in (b"\x85" * n, [b"\x01"] * n):
            enc = rlp.encode(tree)
            assert core.call(OP_RLP_DECODE, enc) == (0, dump_tree(tree)), n
            assert core.call(OP_RLP_ENCODE, dump_tree(tree)) == (0, enc), n
    for b in range(256):
        check_against_python(core, bytes([b]))
        check_against_python(core, bytes([0x81, b]))


def test_deep_nesting(core: NativeDriver) -> None:
    """rlp_validate has no depth limit (an attacker chooses the nesting; Python accepts it), and
    a fault at the bottom of a deep tree is still found."""
    for depth in (31, 32, 33, 64, 65, 500):
        deep: RlpTree = []
        for _ in range(depth):
            deep = [deep, b"x"]
        enc = rlp.encode(deep)
        assert core.call(OP_RLP_DECODE, enc) == (0, dump_tree(deep)), depth
        broken = enc.replace(b"\xc0", b"\xc1\x05", 1)  # the innermost list now overruns
        assert core.call(OP_RLP_DECODE, broken)[0] != 0
        assert python_decode(broken) is None


def be32(v: int) -> bytes:
    """A 256-bit big-endian word."""
    return v.to_bytes(32, "big")


@settings(max_examples=200, deadline=None)
@given(v=st.one_of(st.integers(0, 2**256 - 1), st.integers(0, 2**64), st.integers(0, 300)))
def test_integers(core: NativeDriver, v: int) -> None:
    enc = rlp.encode(v)
    assert core.call(OP_RLP_UINT, b"\x20" + enc) == (0, be32(v))
    nbytes = (v.bit_length() + 7) // 8
    narrow = core.call(OP_RLP_UINT, bytes([max(nbytes - 1, 0)]) + enc)[0]
    assert narrow == (RLP_ERR_INT_TOO_BIG if nbytes else 0)
    if v < 2**64:
        assert core.call(OP_RLP_U64, enc) == (0, v.to_bytes(8, "big"))
        assert core.call(OP_RLP_PUT_U64, v.to_bytes(8, "big")) == (0, enc)
    else:
        assert core.call(OP_RLP_U64, enc)[0] == RLP_ERR_INT_TOO_BIG
    assert core.call(OP_RLP_PUT_UINT, be32(v)) == (0, enc)
    assert core.call(OP_RLP_PUT_UINT, v.to_bytes(nbytes, "big")) == (0, enc)


def test_integer_rules(core: NativeDriver) -> None:
    assert core.call(OP_RLP_UINT, b"\x20\x00")[0] == RLP_ERR_INT_LEADING_ZERO
    assert core.call(OP_RLP_UINT, b"\x20\x82\x00\x01")[0] == RLP_ERR_INT_LEADING_ZERO
    assert core.call(OP_RLP_U64, b"\x82\x00\x01")[0] == RLP_ERR_INT_LEADING_ZERO
    assert core.call(OP_RLP_UINT, b"\x20\xa1" + b"\x01" * 33)[0] == RLP_ERR_INT_TOO_BIG
    assert core.call(OP_RLP_UINT, b"\x20\xc0")[0] == RLP_ERR_KIND
    assert core.call(OP_RLP_U64, b"\xc1\x01")[0] == RLP_ERR_KIND
    assert core.call(OP_RLP_PUT_UINT, b"") == (0, b"\x80")


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=40), n=st.integers(0, 40))
def test_fixed_size_strings(core: NativeDriver, data: bytes, n: int) -> None:
    status, out = core.call(OP_RLP_FIXED, bytes([n]) + rlp.encode(data))
    assert (status, out) == ((0, data) if len(data) == n else (RLP_ERR_SIZE, b""))
    assert core.call(OP_RLP_FIXED, bytes([n]) + rlp.encode([data]))[0] == RLP_ERR_KIND


@settings(max_examples=100, deadline=None)
@given(items=st.lists(trees, max_size=8), n=st.integers(0, 9))
def test_lists_of_exact_length(core: NativeDriver, items: list[RlpTree], n: int) -> None:
    status, out = core.call(OP_RLP_LIST_EXACT, bytes([n]) + rlp.encode(items))
    if len(items) == n:
        assert (status, out) == (0, b"".join(blob(rlp.encode(t)) for t in items))
    else:
        assert status == RLP_ERR_COUNT
    assert core.call(OP_RLP_LIST_EXACT, bytes([n]) + rlp.encode(b"ab"))[0] == RLP_ERR_KIND
