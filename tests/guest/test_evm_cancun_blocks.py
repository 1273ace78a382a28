"""Cancun's block and transaction rules (EIP-4844, EIP-4788) on machine A, the native guest and AB.

Blocks are built by fastvm on a Cancun genesis; a blob transaction (type 3) is then put in place of a
block's transactions with the transactions root recomputed (fastvm.builder.with_transactions), so the
block passes checks 1 to 3 and the transaction itself is judged: an invalid one is code 4, a valid one
reaches the stale gas and roots of the header (codes 5 to 7). Each rule is tried at its boundary, one
wei or one blob on either side. Header mutations keep the parent hash, so they reach check 2.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import rlp
from block_mutants import FIXTURE_KEY, OWN_KEYS
from eth._utils.calculations import fake_exponential
from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CONTRACT_CODE
from eth.vm.forks.cancun.headers import calc_excess_blob_gas_cancun
from evm_native import guest_step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_evm_transactions import BALANCE, STORE, TARGET

from emulator.merkle import keccak
from fastvm.builder import (
    Tx,
    address_of,
    build_chain,
    genesis_header,
    header_class_of,
    sign,
    with_transactions,
)
from fastvm.codec import decode, encode
from fastvm.machine import Machine, StepInfo
from fastvm.state import Account, EssentialState, Fork, Reason, Status
from swapping.guest_image import guest_image
from swapping.window import run_window

KEY, EXACT_KEY = FIXTURE_KEY, OWN_KEYS[1]
SENDER, EXACT_SENDER = address_of(KEY), address_of(EXACT_KEY)
GAS_PER_BLOB = 131_072
MAX_BLOBS = 6
TARGET_BLOB_GAS = 393_216
FRACTION = 3_338_477        # BLOB_BASE_FEE_UPDATE_FRACTION
HISTORY = 8191              # EIP-4788's ring buffer length
GAS, MAX_FEE = 60_000, 10**10
PARENT_HASH, BASE_FEE, BLOB_GAS_USED, EXCESS_BLOB_GAS = 0, 15, 17, 18   # header item indices


def versioned(n: int, version: int = 1) -> bytes:
    """A blob versioned hash: the version byte, then n in 31 bytes."""
    return bytes([version]) + n.to_bytes(31, "big")


def hashes(count: int) -> tuple[bytes, ...]:
    """count distinct valid versioned hashes."""
    return tuple(versioned(i) for i in range(count))


EIP_4788 = Account(BEACON_ROOTS_ADDRESS, code=BEACON_ROOTS_CONTRACT_CODE, nonce=1)


def cancun_state(excess_blob_gas: int = 0, extra: tuple[Account, ...] = (), timestamp: int = 0,
                 beacon: Account | None = EIP_4788, blob_gas_used: int = 0) -> EssentialState:
    """A Cancun genesis: a funded sender, a contract, the beacon roots contract (or `beacon` in its place,
    None: no account there), and a parent header with the given blob gas fields (they set the block's
    excess blob gas and blob base fee)."""
    beacons = [beacon] if beacon else []
    accounts = tuple(sorted([Account(SENDER, balance=BALANCE), Account(TARGET, code=STORE), *beacons, *extra],
                            key=lambda a: a.address))
    header_class = header_class_of(Fork.CANCUN)
    header = rlp.decode(genesis_header(Fork.CANCUN, accounts, timestamp=timestamp), sedes=header_class)
    parent = rlp.encode(header.copy(excess_blob_gas=excess_blob_gas, blob_gas_used=blob_gas_used))
    return EssentialState(1, Fork.CANCUN, parent, accounts=accounts)


def blob_base_fee(state: EssentialState) -> int:
    """The blob base fee of the next block of state (py-evm's EIP-4844 arithmetic)."""
    parent = rlp.decode(state.parent_header, sedes=header_class_of(Fork.CANCUN))
    return fake_exponential(1, calc_excess_blob_gas_cancun(parent), FRACTION)


def guest_agrees(state: EssentialState, work: Path) -> StepInfo:
    """A's step on state; the native guest must leave exactly A's S'."""
    _after, info = Machine().step(state)
    assert guest_step(encode(state), work) == info.image
    return info


@cache
def _guest() -> object:
    """The main guest image (built once, cached by its sources)."""
    return guest_image()


def ab_agrees(state: EssentialState) -> None:
    """AB's window on state leaves exactly A's S'."""
    image = _guest()
    _after, info = Machine().step(state)
    result = run_window(image.elf, image.ram_size, image.s_size, 41, encode(state))
    assert (result.status, result.exit_code) == ("yielded", 0)
    assert result.s_image == info.image


def with_blob_tx(state: EssentialState, tx: Tx, nonce: int = 0) -> EssentialState:
    """state with one built block whose transactions are replaced by tx (signed for chain 1)."""
    base = build_chain(state, [[Tx(KEY, TARGET, gas=GAS)]])
    signed = sign(Fork.CANCUN, 1, tx, nonce)
    return base.with_changes(inbox=(with_transactions(base.inbox[0], [signed.encode()]),))


def verdict(state: EssentialState, tx: Tx, work: Path, nonce: int = 0) -> Reason:
    """The reason code A and the guest give the block carrying tx (NONE if accepted)."""
    return guest_agrees(with_blob_tx(state, tx, nonce), work).reason


# ---- type-3 transactions ----

def test_valid_blob_transaction_burns_the_blob_fee(tmp_path: Path) -> None:
    state = cancun_state(excess_blob_gas=10 * TARGET_BLOB_GAS)
    fee = blob_base_fee(state)
    assert fee > 1
    tx = Tx(KEY, TARGET, gas=GAS, value=5, blob_hashes=hashes(2), max_fee_per_blob=fee)
    chain = build_chain(state, [[tx]])
    info = guest_agrees(chain, tmp_path)
    assert info.status == Status.ACCEPTED
    after = {a.address: a for a in decode(info.image).accounts}
    header = rlp.decode(chain.inbox[0])[0]
    price = int.from_bytes(header[BASE_FEE], "big") + 1   # Tx's priority fee is 1
    assert BALANCE - after[SENDER].balance == info.gas_used * price + 5 + 2 * GAS_PER_BLOB * fee
    assert after[bytes(20)].balance == info.gas_used * 1   # the coinbase gets the tip: the blob fee is burned
    assert int.from_bytes(header[BLOB_GAS_USED], "big") == 2 * GAS_PER_BLOB


@pytest.mark.parametrize("name,tx", [
    ("no blob hashes", Tx(KEY, TARGET, gas=GAS, blob_hashes=())),
    ("version byte 0x02", Tx(KEY, TARGET, gas=GAS, blob_hashes=(versioned(1), versioned(2, version=2)))),
    ("version byte 0x00", Tx(KEY, TARGET, gas=GAS, blob_hashes=(versioned(1, version=0),))),
    ("a hash of 31 bytes", Tx(KEY, TARGET, gas=GAS, blob_hashes=(versioned(1)[:31],))),
    ("to empty (a creation)", Tx(KEY, None, gas=GAS, blob_hashes=hashes(1))),
    ("seven blobs", Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(MAX_BLOBS + 1))),
])
def test_invalid_blob_transaction_is_code_4(name: str, tx: Tx, tmp_path: Path) -> None:
    assert verdict(cancun_state(), tx, tmp_path) == Reason.TRANSACTION_INVALID, name


def test_six_blobs_are_allowed(tmp_path: Path) -> None:
    tx = Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(MAX_BLOBS))
    assert verdict(cancun_state(), tx, tmp_path) not in (Reason.TRANSACTION_INVALID, Reason.MALFORMED)


def test_blobs_of_the_block_add_up(tmp_path: Path) -> None:
    """Four blobs, then three: the second transaction exceeds the block's six (code 4); 4 + 2 fits."""
    base = build_chain(cancun_state(), [[Tx(KEY, TARGET, gas=GAS)]])
    for second, reason in ((3, Reason.TRANSACTION_INVALID), (2, Reason.RECEIPTS_MISMATCH)):
        txs = [sign(Fork.CANCUN, 1, Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(4)), 0),
               sign(Fork.CANCUN, 1, Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(second)), 1)]
        state = base.with_changes(inbox=(with_transactions(base.inbox[0], [t.encode() for t in txs]),))
        assert guest_agrees(state, tmp_path).reason in (reason, Reason.GAS_MISMATCH), second
        if reason == Reason.TRANSACTION_INVALID:
            assert guest_agrees(state, tmp_path).reason == reason


RICH = 2**255   # a balance that pays any blob base fee below about 2^238 for one blob


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(excess=st.one_of(st.integers(0, 160 * FRACTION), st.sampled_from([0, FRACTION, 30 * FRACTION])))
def test_max_fee_per_blob_gas_at_the_blob_base_fee(excess: int, tmp_path: Path) -> None:
    """One wei below the blob base fee is code 4, the fee itself is not: the guest's fake_exponential
    equals EIP-4844's for excess blob gas up to where the fee nears 2^238."""
    state = cancun_state(excess_blob_gas=excess + TARGET_BLOB_GAS, extra=(Account(EXACT_SENDER, balance=RICH),))
    fee = blob_base_fee(state)
    assert fee * GAS_PER_BLOB + GAS * MAX_FEE <= RICH
    at = Tx(EXACT_KEY, TARGET, gas=GAS, blob_hashes=hashes(1), max_fee_per_blob=fee, max_fee=MAX_FEE)
    below = Tx(EXACT_KEY, TARGET, gas=GAS, blob_hashes=hashes(1), max_fee_per_blob=fee - 1, max_fee=MAX_FEE)
    assert verdict(state, at, tmp_path) != Reason.TRANSACTION_INVALID
    assert verdict(state, below, tmp_path) == Reason.TRANSACTION_INVALID


def test_blob_base_fee_beyond_256_bits(tmp_path: Path) -> None:
    """An excess blob gas whose fee exceeds 2^256 - 1: no max fee per blob gas can pay it (code 4)."""
    state = cancun_state(excess_blob_gas=2**63)
    assert blob_base_fee(state) >= 2**256
    tx = Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(1), max_fee_per_blob=2**256 - 1)
    assert verdict(state, tx, tmp_path) == Reason.TRANSACTION_INVALID


@pytest.mark.parametrize("short", [0, 1])
def test_balance_covers_gas_value_and_blob_fee(short: int, tmp_path: Path) -> None:
    """gas * max fee + value + blob gas * max fee per blob gas, exactly, or one wei short (code 4)."""
    blob_price, value = 3, 11
    needed = GAS * MAX_FEE + value + 2 * GAS_PER_BLOB * blob_price
    state = cancun_state(extra=(Account(EXACT_SENDER, balance=needed - short),))
    tx = Tx(EXACT_KEY, TARGET, gas=GAS, value=value, blob_hashes=hashes(2), max_fee_per_blob=blob_price)
    reason = verdict(state, tx, tmp_path)
    assert (reason == Reason.TRANSACTION_INVALID) == bool(short), reason


# ---- the header's blob fields ----

def mutated_header(state: EssentialState, index: int, value: int) -> EssentialState:
    """state with its first inbox block's header field index set to value (parent hash kept)."""
    header, txs, ommers, withdrawals = rlp.decode(state.inbox[0])
    header = list(header)
    header[index] = rlp.sedes.big_endian_int.serialize(value)
    return state.with_changes(inbox=(rlp.encode([header, txs, ommers, withdrawals]),))




def test_header_blob_fields_wrong_by_one(tmp_path: Path) -> None:
    parent_excess = 5 * TARGET_BLOB_GAS   # the child's excess is then 4 * target (the parent used none)
    chain = build_chain(cancun_state(excess_blob_gas=parent_excess),
                        [[Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(1), max_fee_per_blob=10**6)]])
    assert guest_agrees(chain, tmp_path).status == Status.ACCEPTED
    want = parent_excess - TARGET_BLOB_GAS
    for excess in (want - 1, want + 1):
        assert guest_agrees(mutated_header(chain, EXCESS_BLOB_GAS, excess), tmp_path).reason == \
            Reason.HEADER_INVALID
    for used, reason in (
        (MAX_BLOBS * GAS_PER_BLOB + GAS_PER_BLOB, Reason.HEADER_INVALID),   # above the maximum
        (GAS_PER_BLOB + 1, Reason.HEADER_INVALID),                          # not whole blobs
        (GAS_PER_BLOB - 1, Reason.HEADER_INVALID),
        (2 * GAS_PER_BLOB, Reason.GAS_MISMATCH),                            # whole blobs, not the block's
        (0, Reason.GAS_MISMATCH),
    ):
        assert guest_agrees(mutated_header(chain, BLOB_GAS_USED, used), tmp_path).reason == reason, used


def test_excess_blob_gas_of_an_impossible_parent(tmp_path: Path) -> None:
    """A parent whose excess + used - target reaches 2^64: no child header can carry it (code 2)."""
    state = cancun_state(excess_blob_gas=2**64 - 1, blob_gas_used=2**63)
    header, txs, ommers, withdrawals = rlp.decode(build_chain(cancun_state(), [[]]).inbox[0])
    header = list(header)
    header[PARENT_HASH] = keccak(state.parent_header)
    header[EXCESS_BLOB_GAS] = rlp.sedes.big_endian_int.serialize(2**64 - 1)
    raw = rlp.encode([header, txs, ommers, withdrawals])
    assert guest_agrees(state.with_changes(inbox=(raw,)), tmp_path).reason == Reason.HEADER_INVALID


# ---- EIP-4788 ----

def beacon_storage(info: StepInfo) -> dict[int, int]:
    """The beacon roots contract's storage in S' (empty if the account is gone)."""
    account = next((a for a in decode(info.image).accounts if a.address == BEACON_ROOTS_ADDRESS), None)
    return dict(account.storage) if account else {}


def test_beacon_root_written_to_its_two_slots(tmp_path: Path) -> None:
    root = bytes(range(1, 33))
    genesis_time = 3 * HISTORY + 100   # the block's timestamp wraps the ring buffer
    chain = build_chain(cancun_state(timestamp=genesis_time), [[Tx(KEY, TARGET, gas=GAS)]], beacon_root=root)
    info = guest_agrees(chain, tmp_path)
    assert info.status == Status.ACCEPTED
    timestamp = genesis_time + 12
    slot = timestamp % HISTORY
    assert beacon_storage(info) == {slot: timestamp, slot + HISTORY: int.from_bytes(root, "big")}


def test_beacon_call_runs_whatever_code_is_there(tmp_path: Path) -> None:
    """execution-specs calls the account's code (py-evm wrote the slots only for EIP-4788's own code)."""
    code = bytes.fromhex("5f355f5500")   # SSTORE(0, CALLDATALOAD(0))
    root = bytes(31) + b"\x2a"
    beacon = Account(BEACON_ROOTS_ADDRESS, code=code)
    chain = build_chain(cancun_state(beacon=beacon), [[]], beacon_root=root)
    info = guest_agrees(chain, tmp_path)
    assert info.status == Status.ACCEPTED
    assert beacon_storage(info) == {0: 0x2a}


def test_beacon_call_deletes_an_empty_account_there(tmp_path: Path) -> None:
    """An existing empty account at the beacon roots address is touched by the call, hence deleted."""
    chain = build_chain(cancun_state(beacon=Account(BEACON_ROOTS_ADDRESS)), [[]], beacon_root=bytes(32))
    info = guest_agrees(chain, tmp_path)
    assert info.status == Status.ACCEPTED
    assert all(a.address != BEACON_ROOTS_ADDRESS for a in decode(info.image).accounts)


def test_beacon_call_without_an_account_there_changes_nothing(tmp_path: Path) -> None:
    """No account at the beacon roots address: the call runs no code and leaves no account behind."""
    state = cancun_state(beacon=None)
    chain = build_chain(state, [[]], beacon_root=b"\x09" * 32)
    info = guest_agrees(chain, tmp_path)
    assert info.status == Status.ACCEPTED
    assert decode(info.image).accounts == state.accounts


# ---- AB ----

def test_ab_applies_cancun_blocks() -> None:
    """A blob transaction and the beacon root on AB: S' equals A's."""
    state = cancun_state(excess_blob_gas=7 * TARGET_BLOB_GAS)
    tx = Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(3), max_fee_per_blob=10**4)
    ab_agrees(build_chain(state, [[tx]], beacon_root=b"\x07" * 32))
    ab_agrees(mutated_header(build_chain(state, [[tx]]), BLOB_GAS_USED, GAS_PER_BLOB))
    ab_agrees(with_blob_tx(state, Tx(KEY, TARGET, gas=GAS, blob_hashes=hashes(1), max_fee_per_blob=1)))
