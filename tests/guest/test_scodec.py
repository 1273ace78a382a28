"""The guest's S codec (guest/src/scodec) against fastvm's encoder and decoder (spec §4).

Fixture states (initial states of BlockchainTests and the states machine A steps them to)
decode and re-encode byte-identically in C; every rule of §4 refused by Python is refused by C
with its own code, except nonzero padding, which the guest does not read (§4.1); random
mutations of images get the same verdict from both (the padding ignored); and
s_write_window zeroes what the old image used beyond the new one.
"""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pytest
import rlp
from core_driver import (
    OP_S_ROUNDTRIP,
    OP_S_WORLD_ROOT,
    OP_S_WRITE,
    OP_WORLD_ROOT_SLOTS,
    NativeDriver,
    blob,
    u64,
)
from Crypto.Hash import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from trie import HexaryTrie

from fastvm.codec import StateDecodeError, decode, encode
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import step
from fastvm.state import Account, EssentialState, Outcome, Reason, Status

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
FILES = [
    "ValidBlocks/bcExample/mergeExample.json",
    "ValidBlocks/bcStateTests/logRevert.json",
    "ValidBlocks/bcStateTests/BLOCKHASH_Bounds.json",
    "ValidBlocks/bcRandomBlockhashTest/randomStatetest240BC.json",
    "InvalidBlocks/bcEIP1559/badBlocks.json",
    "InvalidBlocks/bc4895-withdrawals/accountInteractions.json",
]

# s_err (guest/include/scodec.h)
S_OK, S_ERR_SHORT, S_ERR_VERSION, S_ERR_LENGTH, S_ERR_PADDING, S_ERR_RLP, S_ERR_SHAPE = range(7)
S_ERR_RANGE, S_ERR_CHAIN_ID, S_ERR_FORK, S_ERR_ANCESTORS, S_ERR_ORDER, S_ERR_ZERO_SLOT = range(7, 13)
S_ERR_CURSOR, S_ERR_OUTCOME, S_ERR_TOO_LARGE = range(13, 16)


def fixture_states() -> list[EssentialState]:
    """Initial states of a few fixture tests, and up to three steps of machine A from each."""
    if not FIXTURES.exists():
        return []
    states = []
    for rel in FILES:
        for test in load_file(FIXTURES / rel)[:2]:
            s = initial_state(test)
            states.append(s)
            for _ in range(min(3, len(s.inbox))):
                s, _info = step(s)
                states.append(s)
    return states


@pytest.fixture(scope="module")
def states() -> list[EssentialState]:
    """The fixture states of this module (skips when the fixtures are absent)."""
    found = fixture_states()
    if not found:
        pytest.skip("no fixtures under ../shared/fixtures")
    return found


def python_verdict(image: bytes) -> bool:
    """Oracle: does fastvm's decode accept the image (as a window of exactly its length)?"""
    try:
        decode(image)
    except StateDecodeError:
        return False
    return True


def test_fixture_states_round_trip(core: NativeDriver, states: list[EssentialState]) -> None:
    # the set covers every outcome status, ancestors and storage
    assert {s.outcome.status for s in states} == set(Status)
    assert any(s.ancestor_hashes for s in states) and any(a.storage for s in states for a in s.accounts)
    for s in states:
        image = encode(s)
        assert core.call(OP_S_ROUNDTRIP, image) == (S_OK, image)
        # with zero padding, as in the window
        assert core.call(OP_S_ROUNDTRIP, image + bytes(77)) == (S_OK, image)


def invalid_variants(s: EssentialState) -> list[tuple[str, EssentialState, int]]:
    """States that break one rule of §4.2–4.4 each, with the code C must answer."""
    acc = Account(address=b"\x01" * 20, nonce=1, balance=5, code=b"\x60\x00", storage=((1, 2), (3, 4)))
    acc2 = replace(acc, address=b"\x02" * 20)
    good = replace(s, accounts=(acc, acc2))
    header = s.parent_header
    return [
        ("chain id 0", replace(s, chain_id=0), S_ERR_CHAIN_ID),
        ("chain id 2^64", replace(s, chain_id=2**64), S_ERR_RANGE),
        ("fork 4", replace(s, fork=4), S_ERR_FORK),
        ("fork 0", replace(s, fork=0), S_ERR_FORK),
        ("accounts unsorted", replace(good, accounts=(acc2, acc)), S_ERR_ORDER),
        ("accounts duplicate", replace(good, accounts=(acc, acc)), S_ERR_ORDER),
        ("storage unsorted", replace(good, accounts=(replace(acc, storage=((3, 4), (1, 2))),)), S_ERR_ORDER),
        ("storage duplicate", replace(good, accounts=(replace(acc, storage=((3, 4), (3, 5))),)), S_ERR_ORDER),
        ("storage zero", replace(good, accounts=(replace(acc, storage=((3, 0),)),)), S_ERR_ZERO_SLOT),
        ("storage key 2^256", replace(good, accounts=(replace(acc, storage=((2**256, 1),)),)), S_ERR_RANGE),
        ("balance 2^256", replace(good, accounts=(replace(acc, balance=2**256),)), S_ERR_RANGE),
        ("nonce 2^64", replace(good, accounts=(replace(acc, nonce=2**64),)), S_ERR_RANGE),
        ("short address", replace(good, accounts=(replace(acc, address=b"\x01" * 19),)), S_ERR_SHAPE),
        ("cursor past inbox", replace(s, cursor=len(s.inbox) + 1), S_ERR_CURSOR),
        ("extra ancestor", replace(s, ancestor_hashes=s.ancestor_hashes + (b"\x00" * 32,)), S_ERR_ANCESTORS),
        ("short ancestor", replace(s, ancestor_hashes=(b"\x00" * 31,) + s.ancestor_hashes[1:]), S_ERR_SHAPE),
        ("parent not rlp", replace(s, parent_header=header + b"\x00"), S_ERR_RLP),
        ("parent header of another fork", replace(s, fork=2), S_ERR_SHAPE),
        ("rejected with reason 10", replace(s, outcome=Outcome(Status.REJECTED, 10)), S_ERR_OUTCOME),
        ("rejected with reason 0", replace(s, outcome=Outcome(Status.REJECTED, Reason.NONE)), S_ERR_OUTCOME),
        ("none with reason 1", replace(s, outcome=Outcome(Status.NONE, Reason.MALFORMED)), S_ERR_OUTCOME),
        ("status 3", replace(s, outcome=Outcome(3, Reason.NONE)), S_ERR_OUTCOME),
        ("accepted, disagreeing", replace(s, outcome=Outcome(
            Status.ACCEPTED, Reason.NONE, 0, bytes(32), bytes(32), bytes(256), bytes(32))), S_ERR_OUTCOME),
    ]


def test_each_rule_is_refused(core: NativeDriver, states: list[EssentialState]) -> None:
    for s in states[:6]:
        for name, bad, code in invalid_variants(s):
            try:
                image = encode(bad)
            except (ValueError, OverflowError):
                continue  # Python cannot even encode it (e.g. a negative field)
            assert not python_verdict(image), name  # the oracle refuses it too
            assert core.call(OP_S_ROUNDTRIP, image)[0] == code, name


def test_framing_rules(core: NativeDriver, states: list[EssentialState]) -> None:
    image = encode(states[0])
    cases = [
        (image[:15], S_ERR_SHORT),
        (struct.pack("<Q", 2) + image[8:], S_ERR_VERSION),
        (image[:8] + struct.pack("<Q", len(image) - 15) + image[16:], S_ERR_LENGTH),
        (image[:8] + struct.pack("<Q", 2**64 - 1) + image[16:], S_ERR_LENGTH),
    ]
    for data, code in cases:
        assert not python_verdict(data)
        assert core.call(OP_S_ROUNDTRIP, data)[0] == code
    # The guest does not read the padding (spec §4.1, §5.1: A is defined on canonical states only,
    # so it is zero by construction): Python refuses a nonzero byte there, the guest decodes the
    # payload alone; all-zero padding of any length is accepted by both.
    for data in (image + b"\x00" * 20 + b"\x01", image + b"\x01"):
        assert not python_verdict(data)
        assert core.call(OP_S_ROUNDTRIP, data) == (S_OK, image)
    cut = image[:8] + struct.pack("<Q", len(image) - 17) + image[16:]  # the payload loses its last byte
    assert not python_verdict(cut)
    assert core.call(OP_S_ROUNDTRIP, cut)[0] == S_ERR_RLP
    for k in range(0, 200, 3):
        assert core.call(OP_S_ROUNDTRIP, image + bytes(k) + b"\x80" + bytes(150)) == (S_OK, image), k
        assert core.call(OP_S_ROUNDTRIP, image + bytes(k)) == (S_OK, image), k


def guest_oracle(image: bytes) -> bytes | None:
    """What the guest's decode must give: Python's decode of the framed payload with the padding
    ignored (the guest never reads it), re-encoded; None when that is refused."""
    if len(image) >= 16:
        length = int.from_bytes(image[8:16], "little")
        if length <= len(image) - 16:
            image = image[: 16 + length]
    try:
        return encode(decode(image))
    except StateDecodeError:
        return None


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutations_agree_with_python(
    core: NativeDriver, states: list[EssentialState], data: st.DataObject
) -> None:
    s = data.draw(st.sampled_from(states))
    image = bytearray(encode(s))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(16, len(image) - 1))
        how = data.draw(st.sampled_from(["set", "delete", "insert"]))
        b = data.draw(st.integers(0, 255))
        if how == "set":
            image[i] = b
        elif how == "delete":
            del image[i]
        else:
            image.insert(i, b)
    if data.draw(st.booleans()):  # keep the framing consistent so the payload rules are reached
        image[8:16] = struct.pack("<Q", len(image) - 16)
    status, out = core.call(OP_S_ROUNDTRIP, bytes(image))
    expected = guest_oracle(bytes(image))
    if expected is not None:
        assert (status, out) == (S_OK, expected)
    else:
        assert status != S_OK


def test_write_window_zeroes_the_old_tail(core: NativeDriver, states: list[EssentialState]) -> None:
    images = sorted({encode(s) for s in states}, key=len)
    short, long_ = images[0], images[-1]
    assert len(short) < len(long_)
    window = long_ + bytes(64)
    status, out = core.call(OP_S_WRITE, blob(window) + short)
    assert (status, out) == (S_OK, short + bytes(len(window) - len(short)))
    # growing: the new image simply replaces the start of the window
    window = short + bytes(len(long_) - len(short) + 8)
    assert core.call(OP_S_WRITE, blob(window) + long_) == (S_OK, long_ + bytes(8))
    # too large: the window is left as it was
    window = short + bytes(4)
    assert core.call(OP_S_WRITE, blob(window) + long_) == (S_ERR_TOO_LARGE, window)


def python_world_root(accounts: tuple[Account, ...]) -> bytes:
    """Oracle: the state root built with HexaryTrie and pycryptodome from the account list."""
    def kec(b: bytes) -> bytes:
        return keccak.new(digest_bits=256, data=b).digest()

    world = HexaryTrie(db={})
    for a in accounts:
        storage = HexaryTrie(db={})
        for k, v in a.storage:
            storage[kec(k.to_bytes(32, "big"))] = rlp.encode(v)
        world[kec(a.address)] = rlp.encode([a.nonce, a.balance, storage.root_hash, kec(a.code)])
    return world.root_hash


def test_world_root(core: NativeDriver, states: list[EssentialState]) -> None:
    """The state root of S's accounts: equal to HexaryTrie's, to the genesis header's state root
    for initial states, and to the recorded state root after an accepted block."""
    checked_against_chain = 0
    for s in states:
        status, root = core.call(OP_S_WORLD_ROOT, encode(s))
        assert (status, root) == (S_OK, python_world_root(s.accounts))
        if s.outcome.status == Status.ACCEPTED:
            assert root == s.outcome.state_root
            checked_against_chain += 1
        elif s.cursor == 0:
            assert root == rlp.decode(s.parent_header)[3]  # the genesis state root
            checked_against_chain += 1
    assert checked_against_chain >= 3


def header_with_number(header: bytes, number: int, fork_items: int) -> bytes:
    """A copy of a header RLP with another block number (and the item count of a fork: extra
    Cancun/Prague fields are appended as zeros)."""
    items = rlp.decode(header)
    items[8] = number.to_bytes((number.bit_length() + 7) // 8, "big")
    while len(items) < fork_items:
        items.append(b"" if len(items) in (17, 18) else bytes(32))
    return rlp.encode(items[:fork_items])


addresses = st.binary(min_size=20, max_size=20)
u256s = st.one_of(st.integers(0, 2**256 - 1), st.integers(0, 300))
accounts_st = st.dictionaries(
    addresses,
    st.tuples(st.integers(0, 2**64 - 1), u256s, st.binary(max_size=80),
              st.dictionaries(u256s, st.integers(1, 2**256 - 1), max_size=5)),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), accounts=accounts_st, fork=st.sampled_from([1, 2, 3]),
       number=st.one_of(st.integers(0, 300), st.integers(0, 2**64 - 1)),
       inbox=st.lists(st.binary(max_size=60), max_size=4), chain_id=st.integers(1, 2**64 - 1))
def test_random_states_round_trip(core: NativeDriver, states: list[EssentialState], data: st.DataObject,
                                  accounts: dict, fork: int, number: int, inbox: list[bytes],
                                  chain_id: int) -> None:
    """Random valid states built from Python values: C accepts them and re-encodes identically,
    and computes the same world root as HexaryTrie."""
    header = header_with_number(states[0].parent_header, number, {1: 17, 2: 20, 3: 21}[fork])
    ancestors = tuple(data.draw(st.binary(min_size=32, max_size=32)) if i < 3 else bytes([i % 256]) * 32
                      for i in range(min(255, number)))
    accs = tuple(Account(a, n, b, c, tuple(sorted(slots.items())))
                 for a, (n, b, c, slots) in sorted(accounts.items()))
    status = data.draw(st.sampled_from(list(Status)))
    fields = rlp.decode(header)
    outcome = {
        Status.NONE: Outcome(),
        Status.REJECTED: Outcome.rejected(Reason(data.draw(st.integers(1, 8)))),
        Status.ACCEPTED: Outcome(Status.ACCEPTED, Reason.NONE, int.from_bytes(fields[10], "big"), fields[3],
                                 fields[5], fields[6], keccak.new(digest_bits=256, data=header).digest()),
    }[status]
    s = EssentialState(chain_id, fork, header, ancestors, accs, tuple(inbox),
                       data.draw(st.integers(0, len(inbox))), outcome)
    image = encode(s)
    assert decode(image) == s  # the oracle accepts it
    assert core.call(OP_S_ROUNDTRIP, image) == (S_OK, image)
    assert core.call(OP_S_WORLD_ROOT, image) == (S_OK, python_world_root(accs))


@settings(max_examples=50, deadline=None)
@given(slots=st.dictionaries(u256s, st.one_of(st.just(0), u256s), max_size=8))
def test_world_root_leaves_out_zero_slots(core: NativeDriver, slots: dict[int, int]) -> None:
    """s_world_root on storage the EVM produced (zero slots possible): they do not exist."""
    items = sorted(slots.items())
    arg = u64(len(items)) + b"".join(k.to_bytes(32, "big") + v.to_bytes(32, "big") for k, v in items)
    live = tuple((k, v) for k, v in items if v)
    expected = python_world_root((Account(b"\x11" * 20, 1, 0, b"", live),))
    assert core.call(OP_WORLD_ROOT_SLOTS, arg) == (S_OK, expected)
