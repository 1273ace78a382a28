"""A(S) on built chains: empty inbox, acceptance, every rejection code, BLOCKHASH, warm and cold machines."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import decode, encode
from fastvm.header import HEADER_FIELDS
from fastvm.machine import Machine, step
from fastvm.state import Account, EssentialState, Fork, Reason, Status

ALICE, BOB = b"\x11" * 32, b"\x22" * 32
# Stores BLOCKHASH(number - 1) in slot 0 and BLOCKHASH(number - 2) in slot 1.
BLOCKHASH_PROBE = bytes.fromhex("6001430340600055600243034060015500")
PROBE = b"\xb1" * 20


def _genesis(fork: Fork = Fork.SHANGHAI) -> EssentialState:
    """Two funded users and the BLOCKHASH probe contract, no blocks."""
    accounts = sorted(
        [
            Account(address_of(ALICE), balance=10**21),
            Account(address_of(BOB), balance=10**18),
            Account(PROBE, code=BLOCKHASH_PROBE),
        ],
        key=lambda a: a.address,
    )
    return EssentialState(1, fork, genesis_header(fork, tuple(accounts)), accounts=tuple(accounts))


@pytest.fixture(scope="module")
def chain() -> EssentialState:
    """S0 with three valid blocks in its inbox: transfers, then probe calls."""
    blocks = [
        [Tx(ALICE, address_of(BOB), 10**17), Tx(BOB, PROBE, gas=100_000)],
        [Tx(ALICE, PROBE, gas=100_000)],
        [Tx(ALICE, PROBE, gas=100_000, legacy=True)],
    ]
    return build_chain(_genesis(), blocks)


def _header_index(name: str) -> int:
    """The position of a Shanghai header field."""
    return [n for n, _ in HEADER_FIELDS[Fork.SHANGHAI]].index(name)


def _tamper(raw: bytes, name: str, value: bytes) -> bytes:
    """The block with one header field replaced."""
    items = rlpx.decode(raw)
    assert isinstance(items, list)
    items[0][_header_index(name)] = value
    return rlpx.encode(items)


def _replace_transaction(raw: bytes, transaction: bytes) -> bytes:
    """The block with its first transaction replaced by other bytes."""
    items = rlpx.decode(raw)
    assert isinstance(items, list)
    items[1][0] = transaction
    return rlpx.encode(items)


def _first_block_with(state: EssentialState, raw: bytes) -> EssentialState:
    """S0 whose inbox holds only raw."""
    return state.with_changes(inbox=(raw,), cursor=0)


def test_an_empty_inbox_is_a_no_op(chain: EssentialState) -> None:
    done = chain.with_changes(cursor=len(chain.inbox))
    after, info = step(done)
    assert after is done or after == done
    assert encode(after) == encode(done)
    assert not info.applied


def test_accepted_blocks_advance_parent_ancestors_and_outcome(chain: EssentialState) -> None:
    state, machine = chain, Machine(verify=True)
    for index in range(len(chain.inbox)):
        parent_hash = keccak(state.parent_header)
        state, info = machine.step(state)
        assert info.status == Status.ACCEPTED, info.detail
        assert state.cursor == index + 1
        assert state.ancestor_hashes[-1] == parent_hash
        assert state.outcome.block_hash == keccak(state.parent_header)
        assert decode(encode(state)) == state


def test_blockhash_sees_the_two_previous_blocks(chain: EssentialState) -> None:
    state, machine = chain, Machine()
    hashes = [keccak(chain.parent_header)]
    while state.pending:
        state, _ = machine.step(state)
        hashes.append(keccak(state.parent_header))
    probe = state.account_map()[PROBE]
    # the last block (number 3) stored BLOCKHASH(2) and BLOCKHASH(1)
    assert dict(probe.storage) == {0: int.from_bytes(hashes[2], "big"), 1: int.from_bytes(hashes[1], "big")}


def test_a_cold_machine_per_step_gives_the_same_images(chain: EssentialState) -> None:
    warm_state, warm = chain, Machine()
    cold_state = chain
    while warm_state.pending:
        warm_state, warm_info = warm.step(warm_state)
        cold_state, cold_info = step(decode(encode(cold_state)))
        assert warm_info.image == cold_info.image


def _reject(state: EssentialState, expected: Reason, s_size: int | None = None) -> None:
    """Apply the next block, expect the rejection code, and check the world is untouched."""
    machine = Machine(s_size=s_size) if s_size else Machine()
    after, info = machine.step(state)
    assert info.status == Status.REJECTED
    assert info.reason == expected, info.detail
    assert after == state.with_changes(cursor=state.cursor + 1, outcome=after.outcome)
    assert after.outcome.reason == expected
    assert decode(encode(after)) == after


MUTATIONS: list[tuple[str, Callable[[bytes], bytes], Reason]] = [
    ("garbage", lambda raw: b"\x01\x02\x03", Reason.MALFORMED),
    ("trailing byte", lambda raw: raw + b"\x00", Reason.MALFORMED),
    ("not four items", lambda raw: rlpx.encode(rlpx.decode(raw)[:3]), Reason.MALFORMED),
    (
        "header short",
        lambda raw: rlpx.encode([rlpx.decode(raw)[0][:16], *rlpx.decode(raw)[1:]]),
        Reason.MALFORMED,
    ),
    ("unknown tx type", lambda raw: _replace_transaction(raw, b"\x00\xc0"), Reason.MALFORMED),
    ("blob tx in shanghai", lambda raw: _replace_transaction(raw, b"\x03\xc0"), Reason.MALFORMED),
    ("wrong parent", lambda raw: _tamper(raw, "parent_hash", b"\x00" * 32), Reason.HEADER_INVALID),
    ("old timestamp", lambda raw: _tamper(raw, "timestamp", b""), Reason.HEADER_INVALID),
    ("wrong number", lambda raw: _tamper(raw, "number", b"\x05"), Reason.HEADER_INVALID),
    ("difficulty", lambda raw: _tamper(raw, "difficulty", b"\x01"), Reason.HEADER_INVALID),
    ("base fee", lambda raw: _tamper(raw, "base_fee_per_gas", b"\x63"), Reason.HEADER_INVALID),
    ("transactions root", lambda raw: _tamper(raw, "transactions_root", b"\x01" * 32), Reason.BODY_MISMATCH),
    ("withdrawals root", lambda raw: _tamper(raw, "withdrawals_root", b"\x01" * 32), Reason.BODY_MISMATCH),
    ("gas used", lambda raw: _tamper(raw, "gas_used", b"\x52\x09"), Reason.GAS_MISMATCH),
    ("receipts root", lambda raw: _tamper(raw, "receipts_root", b"\x01" * 32), Reason.RECEIPTS_MISMATCH),
    ("bloom", lambda raw: _tamper(raw, "logs_bloom", b"\x01" * 256), Reason.RECEIPTS_MISMATCH),
    ("state root", lambda raw: _tamper(raw, "state_root", b"\x01" * 32), Reason.STATE_ROOT_MISMATCH),
]


@pytest.mark.parametrize(("mutate", "reason"), [pytest.param(m, r, id=n) for n, m, r in MUTATIONS])
def test_a_bad_block_is_rejected_with_its_code(
    chain: EssentialState, mutate: Callable, reason: Reason
) -> None:
    _reject(_first_block_with(chain, mutate(chain.inbox[0])), reason)


def test_an_invalid_transaction_with_matching_roots_is_reason_4(chain: EssentialState) -> None:
    broke = tuple(a if a.address != address_of(ALICE) else Account(a.address) for a in chain.accounts)
    _reject(_first_block_with(chain.with_changes(accounts=broke), chain.inbox[0]), Reason.TRANSACTION_INVALID)


def test_a_state_that_outgrows_the_window_is_reason_8(chain: EssentialState) -> None:
    first = _first_block_with(chain, chain.inbox[0])
    _reject(first, Reason.STATE_TOO_LARGE, s_size=len(encode(first)) + 64)


@pytest.mark.parametrize("fork", [Fork.CANCUN, Fork.PRAGUE])
def test_later_forks_accept_built_blocks(fork: Fork) -> None:
    state = build_chain(_genesis(fork), [[Tx(ALICE, address_of(BOB), 1)], [Tx(BOB, PROBE, gas=100_000)]])
    machine = Machine(verify=True)
    while state.pending:
        state, info = machine.step(state)
        assert info.status == Status.ACCEPTED, info.detail


def test_a_block_rejected_after_execution_leaves_the_warm_machine_usable(chain: EssentialState) -> None:
    bad = _tamper(chain.inbox[0], "state_root", b"\x01" * 32)
    state = chain.with_changes(inbox=(bad, *chain.inbox))
    machine = Machine(verify=True)
    state, info = machine.step(state)
    assert info.reason == Reason.STATE_ROOT_MISMATCH
    reference = chain
    while state.pending:
        state, info = machine.step(state)
        reference, _ = step(reference)
        assert info.status == Status.ACCEPTED, info.detail
        assert state.accounts == reference.accounts


def test_signatures_are_recovered_with_coincurve() -> None:
    from eth_keys import keys

    from fastvm.forks import use_coincurve

    use_coincurve()
    assert type(keys.backend).__name__ == "CoinCurveECCBackend"
