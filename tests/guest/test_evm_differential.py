"""Random EVM programs through machine A and the native guest: the same S', byte for byte.

Hypothesis writes a contract as a list of Shanghai opcodes, each preceded by pushes of its stack
arguments (values biased toward small offsets, sizes, addresses of existing accounts and
precompiles, and 256-bit edge values), so programs run past their first instruction. A transaction
calls the contract in a block built by fastvm (machine A fills in the header); the guest must leave
the image A leaves: same gas, receipts, logs, storage, balances, created accounts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from evm_native import guest_step
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.codec import encode
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork

KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
SENDER = address_of(KEY)
CONTRACT = bytes.fromhex("00000000000000000000000000000000000c0de0")
HELPER = bytes.fromhex("00000000000000000000000000000000000c0de1")  # returns 32 bytes or reverts
EMPTY = bytes.fromhex("00000000000000000000000000000000000e0000")  # exists, empty
# HELPER: if calldata is empty, REVERT with 4 bytes, else SSTORE(0, 1) and RETURN 32 bytes of memory.
HELPER_CODE = bytes.fromhex("36600957" "6004601cfd" "5b" "6001600055" "60206000f3")

# (opcode, stack inputs) for every Shanghai opcode except PUSH/DUP/SWAP (generated separately).
OPS: list[tuple[int, int]] = [
    (0x01, 2), (0x02, 2), (0x03, 2), (0x04, 2), (0x05, 2), (0x06, 2), (0x07, 2), (0x08, 3), (0x09, 3),
    (0x0A, 2), (0x0B, 2), (0x10, 2), (0x11, 2), (0x12, 2), (0x13, 2), (0x14, 2), (0x15, 1), (0x16, 2),
    (0x17, 2), (0x18, 2), (0x19, 1), (0x1A, 2), (0x1B, 2), (0x1C, 2), (0x1D, 2), (0x20, 2), (0x30, 0),
    (0x31, 1), (0x32, 0), (0x33, 0), (0x34, 0), (0x35, 1), (0x36, 0), (0x37, 3), (0x38, 0), (0x39, 3),
    (0x3A, 0), (0x3B, 1), (0x3C, 4), (0x3D, 0), (0x3E, 3), (0x3F, 1), (0x40, 1), (0x41, 0), (0x42, 0),
    (0x43, 0), (0x44, 0), (0x45, 0), (0x46, 0), (0x47, 0), (0x48, 0), (0x50, 1), (0x51, 1), (0x52, 2),
    (0x53, 2), (0x54, 1), (0x55, 2), (0x56, 1), (0x57, 2), (0x58, 0), (0x59, 0), (0x5A, 0), (0x5B, 0),
    (0x5F, 0), (0xA0, 2), (0xA1, 3), (0xA2, 4), (0xA3, 5), (0xA4, 6), (0xF0, 3), (0xF1, 7), (0xF2, 7),
    (0xF3, 2), (0xF4, 6), (0xF5, 4), (0xFA, 6), (0xFD, 2), (0xFE, 0), (0xFF, 1),
    (0x0C, 0), (0x21, 0), (0x49, 0), (0x5C, 0), (0xEF, 0),  # undefined in Shanghai
]
# Cancun: Shanghai's, with BLOBHASH, BLOBBASEFEE, TLOAD, TSTORE and MCOPY defined (and the same
# SELFDESTRUCT byte under EIP-6780).
CANCUN_OPS: list[tuple[int, int]] = [op for op in OPS if op not in ((0x49, 0), (0x5C, 0))] + [
    (0x49, 1), (0x4A, 0), (0x5C, 1), (0x5D, 2), (0x5E, 3), (0x5C, 1), (0x5D, 2), (0x5E, 3),
]


def push(value: int) -> bytes:
    """The shortest PUSH of a value (PUSH0 for zero)."""
    if value == 0:
        return b"\x5f"
    data = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([0x5F + len(data)]) + data


def word(address: bytes) -> int:
    """An address as a stack word."""
    return int.from_bytes(address, "big")


args = st.one_of(
    st.integers(0, 64),
    st.sampled_from([0x20, 0x40, 0x100, 0x3FF, 5000, 2**32, 2**64, 2**255, 2**256 - 1, 2**256 - 32]),
    st.sampled_from([word(CONTRACT), word(HELPER), word(EMPTY), word(SENDER), 1, 2, 3, 4, 0xDEAD]),
    st.integers(0, 2**256 - 1),
)
gas_args = st.one_of(st.integers(0, 30_000), st.just(2**256 - 1))


@st.composite
def programs(draw: st.DrawFn, ops: list[tuple[int, int]] = OPS) -> bytes:
    """A contract: opcodes of `ops` with their arguments pushed just before them."""
    code = b""
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            code += bytes([0x80 + draw(st.integers(0, 3))]) if code else push(draw(args))
            continue
        if kind == 1:
            code += bytes([0x90 + draw(st.integers(0, 2))])
            continue
        op, n = draw(st.sampled_from(ops))
        values = [draw(args) for _ in range(n)]
        if op in (0xF1, 0xF2, 0xF4, 0xFA):
            values[0] = draw(gas_args)
        code += b"".join(push(v) for v in reversed(values)) + bytes([op])
    return code


def genesis(code: bytes, fork: Fork = Fork.SHANGHAI) -> EssentialState:
    """S0: the sender, the contract under test, a helper contract, an empty account."""
    accounts = tuple(sorted([
        Account(SENDER, balance=10**20),
        Account(CONTRACT, balance=10**6, code=code, storage=((1, 7),)),
        Account(HELPER, code=HELPER_CODE),
        Account(EMPTY),
    ], key=lambda a: a.address))
    return EssentialState(1, fork, genesis_header(fork, accounts), accounts=accounts)


def check(code: bytes, calldata: bytes, value: int, work: Path, fork: Fork = Fork.SHANGHAI) -> None:
    """Build a block calling the contract twice (transient storage must not survive the first call's
    transaction); A and the guest must leave the same image."""
    call = Tx(KEY, CONTRACT, value=value, gas=400_000, data=calldata)
    state = build_chain(genesis(code, fork), [[call, call]])
    _after, info = Machine().step(state)
    assert guest_step(encode(state), work) == info.image, f"code {code.hex()}: A {info.status.name}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(), calldata=st.binary(max_size=40), value=st.sampled_from([0, 1, 10**6]))
def test_random_program_same_as_machine_a(tmp_path: Path, code: bytes, calldata: bytes, value: int) -> None:
    check(code, calldata, value, tmp_path)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(), calldata=st.binary(max_size=40), value=st.sampled_from([0, 1, 10**6]))
def test_many_random_programs_same_as_machine_a(
    tmp_path: Path, code: bytes, calldata: bytes, value: int
) -> None:
    check(code, calldata, value, tmp_path)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(CANCUN_OPS), calldata=st.binary(max_size=40), value=st.sampled_from([0, 1, 10**6]))
def test_random_cancun_program_same_as_machine_a(tmp_path: Path, code: bytes, calldata: bytes, value: int) -> None:
    check(code, calldata, value, tmp_path, Fork.CANCUN)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=programs(CANCUN_OPS), calldata=st.binary(max_size=40), value=st.sampled_from([0, 1, 10**6]))
def test_many_random_cancun_programs_same_as_machine_a(
    tmp_path: Path, code: bytes, calldata: bytes, value: int
) -> None:
    check(code, calldata, value, tmp_path, Fork.CANCUN)
