"""Hand-built Cancun chains that exercise each opcode Cancun adds or changes, for the native guest and AB.

Each chain is built by fastvm (machine A fills in the Cancun header: blob gas used 0, excess blob gas 0,
a zero parent beacon block root) from type-2 transactions; contracts record what they observe in
storage, so a wrong value, a wrong gas charge or a wrong deletion changes S'.
"""

from __future__ import annotations

import functools

from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.evmasm import Instruction, assemble
from fastvm.state import Account, EssentialState, Fork

KEY = bytes.fromhex("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
SENDER = address_of(KEY)
TRANSIENT = bytes.fromhex("00000000000000000000000000000000000c1153")
MCOPIER = bytes.fromhex("00000000000000000000000000000000000c5656")
FACTORY = bytes.fromhex("00000000000000000000000000000000000c6780")
OLD = bytes.fromhex("00000000000000000000000000000000000c0001")   # pre-existing, destructs to OTHER
OLD_SELF = bytes.fromhex("00000000000000000000000000000000000c0002")  # pre-existing, destructs to itself
OTHER = bytes.fromhex("00000000000000000000000000000000000b0b00")
BLOB = bytes.fromhex("00000000000000000000000000000000000c4844")
GAS = 1_000_000


def selector(cases: dict[int, list[Instruction]], main: list[Instruction]) -> list[Instruction]:
    """Code that runs `main` on empty calldata, else the case named by calldata's first byte."""
    code: list[Instruction] = ["CALLDATASIZE", "ISZERO", ("PUSHLABEL", "main"), "JUMPI",
                               "PUSH0", "CALLDATALOAD", ("PUSH", 248), "SHR"]
    for sel in cases:
        code += ["DUP1", ("PUSH", sel), "EQ", ("PUSHLABEL", f"case{sel}"), "JUMPI"]
    code += ["STOP"]
    for sel, body in cases.items():
        code += [("LABEL", f"case{sel}"), *body, "STOP"]
    return code + [("LABEL", "main"), *main, "STOP"]


def call_self(sel: int, static: bool = False) -> list[Instruction]:
    """CALL (or STATICCALL) this contract with the one-byte calldata `sel`; leaves the success flag."""
    args: list[Instruction] = [("PUSH", sel), "PUSH0", "MSTORE8", "PUSH0", "PUSH0", ("PUSH", 1), "PUSH0"]
    # a failing static call burns the gas it was given: give it little
    return args + (["ADDRESS", ("PUSH", 30_000), "STATICCALL"] if static else ["PUSH0", "ADDRESS", "GAS", "CALL"])


def store(key: int) -> list[Instruction]:
    """SSTORE the top of the stack plus 100 at `key` (so that 0 is visible too)."""
    return [("PUSH", 100), "ADD", ("PUSH", key), "SSTORE"]


# EIP-1153: transient storage across calls, reverts, a static context and the next transaction.
TRANSIENT_CODE = assemble(selector(
    {
        1: ["PUSH0", "TLOAD", *store(1)],                                  # a child sees the parent's write
        2: [("PUSH", 99), "PUSH0", "TSTORE", "PUSH0", "PUSH0", "REVERT"],  # a write that is reverted
        3: [("PUSH", 1), "PUSH0", "TSTORE"],                               # TSTORE under STATICCALL fails
        4: ["PUSH0", "TLOAD", *store(5), ("PUSH", 9), "TLOAD", *store(8)],  # the next transaction sees 0
        6: [("PUSH", 55), "PUSH0", "TSTORE", *call_self(2), "POP"],         # kept, its child's write reverted
        7: ["PUSH0", "TLOAD", ("PUSH", 9), "TSTORE", "PUSH0", "PUSH0", "REVERT"],
    },
    [
        ("PUSH", 7), "PUSH0", "TSTORE",
        *call_self(1), "POP",
        *call_self(2), *store(10),
        "PUSH0", "TLOAD", *store(2),
        *call_self(3, static=True), *store(3),
        *call_self(6), "POP",
        "PUSH0", "TLOAD", *store(6),
        *call_self(7), "POP",               # its write to key 9 is reverted with it
        ("PUSH", 9), "TLOAD", *store(7),
        ("PUSH", 12345), ("PUSH", 9), "TSTORE",  # left set at the end of the transaction
    ],
))

# EIP-5656: MCOPY overlapping forward and backward, of length 0, expanding by destination and source.
MCOPY_CODE = assemble([
    ("PUSH", int.from_bytes(bytes(range(1, 33)), "big")), "PUSH0", "MSTORE",
    ("PUSH", int.from_bytes(bytes(range(101, 133)), "big")), ("PUSH", 32), "MSTORE",
    ("PUSH", 40), "PUSH0", ("PUSH", 5), "MCOPY",      # forward overlap: dst > src
    ("PUSH", 33), ("PUSH", 7), "PUSH0", "MCOPY",      # backward overlap: dst < src
    "PUSH0", ("PUSH", 5000), ("PUSH", 6000), "MCOPY",  # length 0: no expansion however far
    "MSIZE", *store(0),
    ("PUSH", 64), ("PUSH", 10), ("PUSH", 200), "MCOPY",  # expands by the destination
    "MSIZE", *store(1),
    ("PUSH", 10), ("PUSH", 400), ("PUSH", 20), "MCOPY",  # expands by the source (zeros)
    "MSIZE", *store(2),
    "PUSH0", "MLOAD", *store(3), ("PUSH", 32), "MLOAD", *store(4),
    ("PUSH", 200), "MLOAD", *store(5), ("PUSH", 232), "MLOAD", *store(6),
    ("PUSH", 20), "MLOAD", *store(7),
    "GAS", *store(8),
])
MCOPY_HUGE = assemble([("PUSH", 1 << 64), "PUSH0", "PUSH0", "MCOPY"])  # out of gas


def create(init: bytes, value: int) -> list[Instruction]:
    """CREATE with `init` (at most 32 bytes, stored at the end of word 0) and value; leaves the address."""
    return [("PUSH", int.from_bytes(init, "big")), "PUSH0", "MSTORE",
            ("PUSH", len(init)), ("PUSH", 32 - len(init)), ("PUSH", value), "CREATE"]


def call(value: int = 0) -> list[Instruction]:
    """CALL the address on the top of the stack with no data; leaves the success flag."""
    return ["PUSH0", "PUSH0", "PUSH0", "PUSH0", ("PUSH", value), "DUP6", "GAS", "CALL", "SWAP1", "POP"]


# A child whose code is SELFDESTRUCT(CALLER): init code returns the two bytes 33ff.
CHILD_INIT = assemble([("PUSH", 0x33FF), "PUSH0", "MSTORE", ("PUSH", 2), ("PUSH", 30), "RETURN"])
# Init code that destructs to itself while it is being created.
SELF_INIT = assemble(["ADDRESS", "SELFDESTRUCT"])

# EIP-6780: SELFDESTRUCT of contracts created in the same transaction vs in an earlier one.
FACTORY_CODE = assemble(selector(
    {
        1: [*create(CHILD_INIT, 3), "DUP1", "PUSH0", "SSTORE", *call(), *store(10)],  # created, then destructs
        2: [*create(CHILD_INIT, 4), ("PUSH", 1), "SSTORE"],                          # created, kept for later
        3: [("PUSH", 1), "SLOAD", *call(7), *store(11)],                             # destructs a tx later
        4: [*create(SELF_INIT, 5), ("PUSH", 2), "SSTORE"],                           # destructs in its init code
    },
    [],
))
DESTRUCT_TO_OTHER = assemble([("PUSH", int.from_bytes(OTHER, "big")), "SELFDESTRUCT"])
DESTRUCT_TO_SELF = assemble(["ADDRESS", "SELFDESTRUCT"])

# EIP-7516 and EIP-4844 without blob transactions: the blob base fee, BLOBHASH out of range.
BLOB_CODE = assemble([
    "BLOBBASEFEE", *store(0),
    "PUSH0", "BLOBHASH", *store(1),
    ("PUSH", 1 << 255), "BLOBHASH", *store(2),
    "GAS", *store(3),
])


def genesis(accounts: list[Account]) -> EssentialState:
    """A Cancun S0 with the funded sender and `accounts`."""
    every = tuple(sorted([Account(SENDER, balance=10**20), *accounts], key=lambda a: a.address))
    return EssentialState(1, Fork.CANCUN, genesis_header(Fork.CANCUN, every), accounts=every)


def tx(to: bytes, data: bytes = b"", value: int = 0, gas: int = GAS) -> Tx:
    """A type-2 transaction from the sender."""
    return Tx(KEY, to, value=value, gas=gas, data=data)


@functools.cache
def chains() -> dict[str, EssentialState]:
    """Every Cancun scenario by name: S0 with its built blocks in the inbox (A accepted each)."""
    return {
        "transient": build_chain(genesis([Account(TRANSIENT, code=TRANSIENT_CODE)]), [
            [tx(TRANSIENT), tx(TRANSIENT, b"\x04")],
            [tx(TRANSIENT, b"\x04")],
        ]),
        "mcopy": build_chain(genesis([Account(MCOPIER, code=MCOPY_CODE),
                                      Account(OTHER, code=MCOPY_HUGE)]), [
            [tx(MCOPIER), tx(OTHER, gas=100_000)],
        ]),
        "selfdestruct": build_chain(genesis([
            Account(FACTORY, balance=1000, code=FACTORY_CODE),
            Account(OLD, balance=600, code=DESTRUCT_TO_OTHER, storage=((1, 2),)),
            Account(OLD_SELF, balance=500, code=DESTRUCT_TO_SELF, storage=((3, 4),)),
        ]), [
            [tx(FACTORY, b"\x01"), tx(FACTORY, b"\x02"), tx(FACTORY, b"\x04")],
            [tx(FACTORY, b"\x03"), tx(OLD, value=9), tx(OLD_SELF, value=11)],
        ]),
        "blob": build_chain(genesis([Account(BLOB, code=BLOB_CODE)]), [[tx(BLOB)]]),
    }
