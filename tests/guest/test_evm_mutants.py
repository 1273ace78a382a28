"""Re-sealed mutants of real blocks: machine A and the guest give the same S', and the spec's code.

Each example takes a block (a fixture's, or one built here from the tests' own keys with legacy,
EIP-155, type-1 and type-2 transactions), mutates one transaction field, header field or withdrawal
(block_mutants.py), re-signs and re-seals it so that the mutant reaches the check it is aimed at, and
runs one step on A and on the guest twice: natively (AddressSanitizer and UBSan, which see undefined
behaviour) and on machine AB (the RV64 image in a window on the Unicorn engine, the machine that
matters). A must never raise, the three images must be byte-equal, and where the mutation determines
the reason code, it is that code.
The default run is small; `-m slow` runs 10,000 examples (figures in docs/conformance.md).
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rlp
from block_mutants import (
    EDGE_INTEGERS,
    FIELDS,
    HALF_N,
    OWN_KEYS,
    SECP256K1_N,
    SIGNATURE,
    RawTx,
    as_int,
    block_items,
    block_with_tx,
    int_bytes,
    seal,
)
from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CONTRACT_CODE
from evm_native import FIXTURES, guest_step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from v2_ab import assert_same, check_block

from emulator.image import template_from_image
from emulator.layout import S_BASE, SHADOW_STATUS
from emulator.machine import make_machine, shadow_field
from emulator.template import Template
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import encode
from fastvm.export_v2 import ExporterV2, to_version_2
from fastvm.fixtures import initial_state, load_file
from fastvm.machine import Machine
from fastvm.preimages import PreimageStore
from fastvm.state import Account, EssentialState, Fork, Reason, Status
from swapping.guest_image import GuestImage, guest_image
from toolchain.build import build_image, bundled

SOURCES = (
    "ValidBlocks/bcEIP1559/transType.json",
    "ValidBlocks/bcExample/shanghaiExample.json",
    "ValidBlocks/bcExample/mergeExample.json",
    "ValidBlocks/bcValidBlockTest/SimpleTx.json",
    "ValidBlocks/bcStateTests/logRevert.json",
)
TARGET = bytes.fromhex("00000000000000000000000000000000000c0de0")
STORE = bytes.fromhex("600160005500")  # SSTORE(0, 1)
TALLY: Counter[str] = Counter()  # outcomes of the examples run, for the figures in docs/conformance.md


@dataclass(frozen=True, slots=True)
class Case:
    """A block to mutate and the state it applies to (its parent's S, with an empty inbox)."""

    name: str
    state: EssentialState
    block: bytes


def _fixture_cases() -> list[Case]:
    """The first block of each source fixture test that has transactions."""
    out = []
    for rel in SOURCES:
        path = FIXTURES / rel
        if not path.is_file():
            continue
        for test in load_file(path)[:2]:
            state = initial_state(test).with_changes(inbox=())
            out.append(Case(f"{rel}:{test.name}", state, test.blocks[0]))
    return out


def _own_genesis() -> EssentialState:
    """Two funded senders of the tests' own keys and a contract that writes storage."""
    accounts = tuple(sorted([
        Account(address_of(OWN_KEYS[0]), balance=10**20, nonce=1),
        Account(address_of(OWN_KEYS[1]), balance=10**18),
        Account(TARGET, code=STORE),
    ], key=lambda a: a.address))
    return EssentialState(1, Fork.SHANGHAI, genesis_header(Fork.SHANGHAI, accounts), accounts=accounts)


def _retyped(block: bytes, kind: str) -> bytes:
    """block with its first (type-2) transaction turned into a type-1 or pre-EIP-155 legacy one, signed."""
    header, txs, ommers, withdrawals = block_items(block)
    tx = RawTx.parse(txs[0])
    chain, nonce, _tip, fee, gas, to, value, data, access, *_sig = tx.fields
    if kind == "type1":
        new = RawTx(1, [chain, nonce, fee, gas, to, value, data, access, b"", b"", b""])
    else:
        new = RawTx(0, [nonce, fee, gas, to, value, data, int_bytes(27), b"", b""])
    new.resign(OWN_KEYS[0], 1)
    txs[0] = new.fields if new.type == 0 else new.encode()
    return seal(header, txs, ommers, withdrawals)


def _own_cases() -> list[Case]:
    """Blocks of the tests' own senders: type 2, EIP-155 legacy, type 1 and pre-155 legacy."""
    genesis = _own_genesis()
    sender, other = OWN_KEYS
    pair = [Tx(sender, TARGET, gas=60_000, value=5), Tx(other, address_of(sender), value=7)]
    typed = build_chain(genesis, [pair])
    legacy = build_chain(genesis, [[Tx(sender, TARGET, gas=60_000, legacy=True)]])
    block = typed.inbox[0]
    return [
        Case("own:type2", genesis, block),
        Case("own:eip155", genesis, legacy.inbox[0]),
        Case("own:type1", genesis, _retyped(block, "type1")),
        Case("own:pre155", genesis, _retyped(block, "pre155")),
        _blob_case(),
    ]


def _blob_case() -> Case:
    """A Cancun block of a type-3 transaction with two blobs and a type-2 one (EIP-4844, EIP-4788)."""
    accounts = tuple(sorted([
        Account(address_of(OWN_KEYS[0]), balance=10**20, nonce=1),
        Account(address_of(OWN_KEYS[1]), balance=10**18),
        Account(TARGET, code=STORE),
        Account(BEACON_ROOTS_ADDRESS, code=BEACON_ROOTS_CONTRACT_CODE, nonce=1),
    ], key=lambda a: a.address))
    genesis = EssentialState(1, Fork.CANCUN, genesis_header(Fork.CANCUN, accounts), accounts=accounts)
    blobs = (b"\x01" + bytes(30) + b"\x07", b"\x01" * 32)
    pair = [Tx(OWN_KEYS[0], TARGET, gas=60_000, blob_hashes=blobs, max_fee_per_blob=3),
            Tx(OWN_KEYS[1], TARGET, gas=60_000, value=9)]
    return Case("own:type3", genesis, build_chain(genesis, [pair], beacon_root=b"\x05" * 32).inbox[0])


@functools.cache
def cases() -> tuple[Case, ...]:
    """Every block the generator mutates."""
    return tuple(_fixture_cases() + _own_cases())


# ---- mutations -------------------------------------------------------------------------------------

def _integer(original: int) -> st.SearchStrategy[int]:
    """An integer near the original or at an edge of a range."""
    near = st.integers(-3, 3).map(lambda d: max(0, original + d))
    return st.one_of(st.sampled_from(EDGE_INTEGERS), near, st.integers(0, 2**256 - 1))


def _raw_value() -> st.SearchStrategy[bytes | list]:
    """Values no canonical integer has: a leading zero, 33 bytes, a list where a string belongs."""
    return st.sampled_from([b"\x00", b"\x00\x01", b"\x01" * 33, [], [b"\x01"], b"\x00" * 20])


ACCESS_LISTS = (
    [],
    [[TARGET, []]],
    [[TARGET, [bytes(32), b"\x01" * 32]]],
    [[TARGET[:19], []]],  # address 19 bytes
    [[TARGET, [bytes(31)]]],  # key 31 bytes
    [[TARGET, [[]]]],  # key a list
    [[TARGET, [], b""]],  # an entry of three items
    [TARGET],  # an entry that is a string
    b"",  # the list a string
)


@dataclass(frozen=True, slots=True)
class Mutation:
    """What was changed, for the report and for the expected code."""

    where: str  # "tx", "header" or "withdrawal"
    name: str
    value: object
    resigned: bool = False


@st.composite
def mutants(draw: st.DrawFn, prefix: str = "") -> tuple[Case, bytes, Mutation]:
    """A case (of those whose name starts with prefix), its mutated and re-sealed block, and the mutation."""
    case = draw(st.sampled_from([c for c in cases() if c.name.startswith(prefix)]))
    header, txs, ommers, withdrawals = block_items(case.block)
    where = draw(st.sampled_from(["tx"] * 6 + ["header", "withdrawal"]))
    if where == "header" or (where == "tx" and not txs):
        return case, *_mutate_header(draw, header, txs, ommers, withdrawals)
    if where == "withdrawal":
        return case, *_mutate_withdrawal(draw, header, txs, ommers, withdrawals)
    position = draw(st.integers(0, len(txs) - 1))
    tx = RawTx.parse(txs[position])
    key = tx.sender_key(case.state.chain_id)
    names = FIELDS[tx.type]
    action = draw(st.sampled_from(["int", "int", "int", "raw", "access", "count", "to", "initcode"]))
    if action == "access" and "access_list" in names:
        name, value = "access_list", draw(st.sampled_from(ACCESS_LISTS))
        tx.set(name, value)
    elif action == "count":
        name, value = "field-count", draw(st.sampled_from([-1, 1]))
        tx.fields = tx.fields[:-1] if value < 0 else [*tx.fields, b""]
    elif action == "to":
        name, value = "to", draw(st.sampled_from([b"", TARGET[:19], TARGET + b"\x00"]))
        tx.set(name, value)
    elif action == "initcode":
        name, value = "data", draw(st.sampled_from([49_152, 49_153]))
        tx.set("to", b"")
        tx.set("data", bytes(value))
    else:
        name = draw(st.sampled_from([n for n in names if n not in ("to", "data", "access_list")]))
        original = as_int(tx.get(name)) if isinstance(tx.get(name), bytes) else 0
        value = draw(_integer(original)) if action != "raw" else draw(_raw_value())
        tx.set(name, value)
    resign = (name not in SIGNATURE and key is not None and name != "field-count"
              and len(tx.fields) == len(names) and draw(st.booleans()))
    if resign:
        tx.resign(key, case.state.chain_id)
    return case, block_with_tx(case.block, position, tx), Mutation("tx", name, value, resign)


HEADER_FIELDS = {7: "difficulty", 8: "number", 9: "gas_limit", 10: "gas_used", 11: "timestamp",
                 12: "extra_data", 13: "mix_hash", 14: "nonce", 15: "base_fee_per_gas",
                 17: "blob_gas_used", 18: "excess_blob_gas", 19: "parent_beacon_block_root"}


def _mutate_header(draw: st.DrawFn, header: list, txs: list, ommers: list,
                   withdrawals: list) -> tuple[bytes, Mutation]:
    """A header field at an edge or next to its value; the body roots stay right."""
    index = draw(st.sampled_from([i for i in sorted(HEADER_FIELDS) if i < len(header)]))
    name = HEADER_FIELDS[index]
    if name == "extra_data":
        value: object = bytes(draw(st.sampled_from([0, 31, 32, 33, 64])))
    elif name in ("mix_hash", "nonce", "parent_beacon_block_root"):
        value = draw(st.sampled_from([b"\x01" * len(header[index]), bytes(len(header[index]) + 1)]))
    else:
        value = draw(_integer(as_int(header[index])))
    header[index] = int_bytes(value) if isinstance(value, int) else value
    return seal(header, txs, ommers, withdrawals), Mutation("header", name, value)


WITHDRAWAL_FIELDS = ("index", "validator_index", "address", "amount")


def _mutate_withdrawal(draw: st.DrawFn, header: list, txs: list, ommers: list,
                       withdrawals: list) -> tuple[bytes, Mutation]:
    """A withdrawal field changed, one added or one removed; the withdrawals root recomputed."""
    base = withdrawals[0] if withdrawals else [b"", b"", TARGET, int_bytes(1)]
    action = draw(st.sampled_from(["field", "field", "add", "drop"]))
    if action == "drop" and withdrawals:
        withdrawals = withdrawals[1:]
        return seal(header, txs, ommers, withdrawals), Mutation("withdrawal", "drop", None)
    if action == "add" or not withdrawals:
        withdrawals = [*withdrawals, list(base)]
    position = draw(st.integers(0, len(withdrawals) - 1))
    field = draw(st.integers(0, 3))
    entry = list(withdrawals[position])
    if field == 2:
        value: object = draw(st.sampled_from([TARGET[:19], TARGET + b"\x00", bytes(20), TARGET]))
        entry[2] = value
    else:
        value = draw(_integer(as_int(entry[field])))
        entry[field] = int_bytes(value)
    withdrawals[position] = entry
    return seal(header, txs, ommers, withdrawals), Mutation("withdrawal", WITHDRAWAL_FIELDS[field], value)


def expected_reason(mutation: Mutation, tx_type: int | None, chain_id: int) -> Reason | None:
    """The code a mutation determines on its own (None where the outcome depends on more)."""
    value = mutation.value
    if mutation.where == "tx" and isinstance(value, int) and not mutation.resigned:
        if mutation.name in ("r", "s") and (value == 0 or value >= SECP256K1_N):
            return Reason.TRANSACTION_INVALID
        if mutation.name == "s" and value > HALF_N:
            return Reason.TRANSACTION_INVALID  # EIP-2: a high s never recovers a sender
        if mutation.name == "v" and tx_type and value > 1:
            return Reason.TRANSACTION_INVALID
        legacy_vs = (27, 28, 35 + 2 * chain_id, 36 + 2 * chain_id)
        if mutation.name == "v" and tx_type == 0 and value not in legacy_vs:
            return Reason.TRANSACTION_INVALID
    if mutation.where == "tx" and mutation.name == "chain_id" and isinstance(value, int):
        return Reason.TRANSACTION_INVALID if value != chain_id else None
    if mutation.where == "tx" and mutation.name == "nonce" and mutation.resigned and isinstance(value, int):
        return None  # the sender's nonce may equal the new value when several transactions share a sender
    if mutation.where == "header" and mutation.name in ("difficulty",) and value != 0:
        return Reason.HEADER_INVALID
    if mutation.where == "header" and mutation.name == "extra_data" and len(value) > 32:
        return Reason.HEADER_INVALID
    if mutation.where == "withdrawal" and mutation.name in ("index", "validator_index", "amount"):
        return Reason.BODY_MISMATCH if value >= 2**64 else None
    return None


# ---- the machines --------------------------------------------------------------------------------

@functools.cache
def _ab_template() -> Template:
    """The main guest image's template, built once per test process."""
    elf = build_image(bundled()["guest"], Path(tempfile.mkdtemp(prefix="mutants_")) / "guest.elf")
    return template_from_image(elf)


def ab_image(image: bytes) -> bytes:
    """One window of machine AB (Unicorn) on the S image; the image the guest leaves in the S window."""
    template = _ab_template()
    machine = make_machine("unicorn", template, template.initial_state(image))
    machine.run_until_halt(1 << 34)
    state = machine.state()
    assert shadow_field(state, SHADOW_STATUS) == 1, "the guest did not yield on AB"
    return state.read(S_BASE, 16 + state.read_u64(S_BASE + 8))


def check_mutant(case: Case, block: bytes, mutation: Mutation, work: Path) -> None:
    """A, the native guest and AB agree byte for byte on the mutant; the expected code where determined."""
    state = case.state.with_changes(inbox=(block,), cursor=0)
    image = encode(state)
    _after, info = Machine().step(state)  # raising here is the bug this test exists for
    where = f"{case.name}: {mutation}"
    assert guest_step(image, work) == info.image, f"{where}: A says {info.reason.name} ({info.detail})"
    assert ab_image(image) == info.image, f"{where}: AB differs from A ({info.reason.name})"
    tx_type = None
    if mutation.where == "tx":
        first_types = {RawTx.parse(t).type for t in rlp.decode(case.block)[1]}
        tx_type = first_types.pop() if len(first_types) == 1 else None
    want = expected_reason(mutation, tx_type, case.state.chain_id)
    TALLY.update(["mutants", f"{mutation.where}:{info.status.name.lower()}:{info.reason.name.lower()}"]
                 + (["code_determined"] if want is not None else []))
    if want is not None:
        got = (info.status, info.reason)
        assert got == (Status.REJECTED, want), f"{where}: {info.reason.name} {info.detail}"


def check_mutant_v2(case: Case, block: bytes, mutation: Mutation, work: Path) -> None:
    """On S version 2 too: A's outcome is version 1's, and AB with A's witness alone leaves A's S'.

    A rejected block is where the two machines may read different parts of the world (A stops at its
    first failed check); AB must still finish on A's witness, never ask for a key outside it.
    """
    state = case.state.with_changes(inbox=(block,), cursor=0)
    _after, info = Machine().step(state)
    store = PreimageStore(work / f"mutant-{len(list(work.iterdir()))}.sqlite")
    try:
        after, check = check_block(_v2_image(), ExporterV2(store), to_version_2(state, store))
    finally:
        store.close()
    where = f"{case.name}: {mutation} (S version 2)"
    assert (after.outcome.status, after.outcome.reason) == (info.status, info.reason), where
    assert_same(check, where)


@functools.cache
def _v2_image() -> GuestImage:
    """The locked guest image, loaded once per test process."""
    return guest_image()


def _run(data: st.DataObject, tmp_path: Path, prefix: str = "") -> None:
    """Draw one mutant (of the cases whose name starts with prefix) and check it on A, the native guest
    and AB."""
    case, block, mutation = data.draw(mutants(prefix))
    check_mutant(case, block, mutation, tmp_path)


@pytest.fixture(scope="module", autouse=True)
def tally_report() -> Iterator[None]:
    """With SWAPVM_MUTANT_REPORT=FILE, write the tally of outcomes there after the module's tests."""
    TALLY.clear()
    yield
    if os.environ.get("SWAPVM_MUTANT_REPORT"):
        Path(os.environ["SWAPVM_MUTANT_REPORT"]).write_text(json.dumps(dict(sorted(TALLY.items())), indent=1))


COMMON = dict(deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@settings(max_examples=60, **COMMON)
@given(data=st.data())
def test_mutant_same_outcome_on_a_and_guest(data: st.DataObject, tmp_path: Path) -> None:
    _run(data, tmp_path)


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@settings(max_examples=30, derandomize=True, **COMMON)
@given(data=st.data())
def test_mutant_same_outcome_on_version_2(data: st.DataObject, tmp_path: Path) -> None:
    """Re-sealed block mutants on S version 2, the default: same outcome, AB on A's witness alone."""
    case, block, mutation = data.draw(mutants())
    check_mutant_v2(case, block, mutation, tmp_path)


@settings(max_examples=40, derandomize=True, **COMMON)
@given(data=st.data())
def test_blob_block_mutant_same_outcome(data: st.DataObject, tmp_path: Path) -> None:
    """Mutants of a Cancun block with a blob transaction: its blob fields, its header's blob fields."""
    _run(data, tmp_path, "own:type3")


@pytest.mark.slow
@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@settings(max_examples=10_000, **COMMON)
@given(data=st.data())
def test_mutant_same_outcome_many(data: st.DataObject, tmp_path: Path) -> None:
    _run(data, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not FIXTURES.is_dir(), reason="fixtures not present")
@settings(max_examples=10_000, **COMMON)
@given(data=st.data())
def test_mutant_same_outcome_on_version_2_many(data: st.DataObject, tmp_path: Path) -> None:
    """The version 2 check on many more mutants (a documented slow run, docs/conformance.md)."""
    case, block, mutation = data.draw(mutants())
    check_mutant_v2(case, block, mutation, tmp_path)


@pytest.mark.parametrize("name,value", [("r", 0), ("s", 0), ("r", SECP256K1_N), ("s", SECP256K1_N),
                                        ("s", HALF_N + 1), ("v", 2), ("r", 2**256 - 1)])
@pytest.mark.parametrize("kind", ["own:type2", "own:type1", "own:eip155", "own:pre155"])
def test_unrecoverable_signature_is_code_4(kind: str, name: str, value: int, tmp_path: Path) -> None:
    """Every signature py-evm cannot recover is rejected with code 4 by both, never an exception."""
    case = next(c for c in cases() if c.name == kind)
    header, txs, _o, _w = block_items(case.block)
    tx = RawTx.parse(txs[0])
    if name == "v" and tx.type == 0:
        value = 29  # neither 27/28 nor an EIP-155 value
    tx.set(name, value)
    check_mutant(case, block_with_tx(case.block, 0, tx), Mutation("tx", name, value), tmp_path)


def test_off_curve_r_is_code_4(tmp_path: Path) -> None:
    """An r with no point on the curve (x^3 + 7 not a square) cannot recover: code 4 on both."""
    case = next(c for c in cases() if c.name == "own:type2")
    p = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
    r = next(x for x in range(1, 100) if pow(x**3 + 7, (p - 1) // 2, p) != 1)
    header, txs, _o, _w = block_items(case.block)
    tx = RawTx.parse(txs[0])
    tx.set("r", r)
    check_mutant(case, block_with_tx(case.block, 0, tx), Mutation("tx", "r", r), tmp_path)


@pytest.mark.parametrize("kind", ["ValidBlocks/bcEIP1559/transType.json:transType_Shanghai", "own:type1",
                                  "own:type2", "own:pre155"])
def test_a_later_tx_for_another_chain_is_code_4_before_anything_runs(kind: str, tmp_path: Path) -> None:
    """The block's last transaction names another chain: code 4 on both machines before the first
    transaction runs (A checks every chain id first), so on S version 2 AB reads no account A did not."""
    case = next(c for c in cases() if c.name == kind)
    header, txs, _o, _w = block_items(case.block)
    last = len(txs) - 1
    tx = RawTx.parse(txs[last])
    tx.set("chain_id", case.state.chain_id + 1)
    block = block_with_tx(case.block, last, tx)
    mutation = Mutation("tx", "chain_id", case.state.chain_id + 1)
    _after, info = Machine().step(case.state.with_changes(inbox=(block,), cursor=0))
    assert (info.status, info.reason) == (Status.REJECTED, Reason.TRANSACTION_INVALID)
    check_mutant(case, block, mutation, tmp_path)
    check_mutant_v2(case, block, mutation, tmp_path)


@pytest.mark.parametrize("kind", ["ValidBlocks/bcExample/mergeExample.json:mergeExample_Shanghai",
                                  "own:eip155", "own:type1", "own:type2"])
def test_a_nonce_of_2_64_minus_1_is_refused_before_the_sender_is_read(kind: str, tmp_path: Path) -> None:
    """EIP-2681's bound on the transaction's own nonce is state-free (py-evm and execution-specs check it
    before the sender): code 4, and on S version 2 AB reads no sender A did not."""
    case = next(c for c in cases() if c.name == kind)
    _header, txs, _o, _w = block_items(case.block)
    tx = RawTx.parse(txs[0])
    tx.set("nonce", 2**64 - 1)
    block = block_with_tx(case.block, 0, tx)
    mutation = Mutation("tx", "nonce", 2**64 - 1)
    _after, info = Machine().step(case.state.with_changes(inbox=(block,), cursor=0))
    assert (info.status, info.reason) == (Status.REJECTED, Reason.TRANSACTION_INVALID)
    check_mutant(case, block, mutation, tmp_path)
    check_mutant_v2(case, block, mutation, tmp_path)
