"""Blocks that make the guest hold as much heap per gas as they can (spec §4.9), one family each.

Every family is one transaction from a funded key to a contract, in a block with a 2.1 G gas limit
(as the public random state tests have): deep recursion with memory, call data and return data in
every frame; a CREATE2 chain with large init code; logs with large data; KECCAK256 and copies over
large memory; deployed code; fresh accounts and slots; journal entries; a large access list; and,
in a Cancun block (with the EIP-4788 contract), TSTOREs of fresh or of the same transient keys.
`heap_block` builds one from a family name and its integer knobs, which the tests and `swapvm bench
heap` draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eth.vm.forks.cancun.constants import BEACON_ROOTS_ADDRESS, BEACON_ROOTS_CONTRACT_CODE

from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.evmasm import Instruction, assemble
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork

KEY = b"\x52" * 32
TARGET = b"\xc0" * 20          # the contract each transaction calls
HELPER = b"\xc1" * 20          # a second contract some families call
IDENTITY = 4                   # the identity precompile
BLOCK_GAS_LIMIT = 2_100_000_000
RESERVE = 60_000               # loops stop when less gas is left, so the transaction succeeds


@dataclass(frozen=True)
class HeapBlock:
    """One heap-hungry block: its family, knobs, the S it is pending in, and its transaction's gas."""

    family: str
    knobs: tuple[int, ...]
    state: EssentialState
    tx_gas: int


def _loop(body: list[Instruction]) -> list[Instruction]:
    """body repeated while more than RESERVE gas is left, then STOP."""
    return [("LABEL", "loop"), *body, "GAS", ("PUSH", RESERVE), "LT", ("PUSHLABEL", "loop"), "JUMPI",
            "STOP"]


def _touch(size: int) -> list[Instruction]:
    """Expand memory to `size` bytes (at least 32) by writing its last byte."""
    return [("PUSH", 1), ("PUSH", max(size, 32) - 1), "MSTORE8"]


def recursion(frame: int, calldata: int, returned: int) -> tuple[bytes, bytes]:
    """Each frame stores `frame` bytes of memory, calls itself with `calldata` bytes of input (its
    first word: depth left), and returns `returned` bytes, which the caller copies into memory."""
    code = assemble([
        ("PUSH", 0), "CALLDATALOAD", "DUP1", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
        *_touch(frame), ("PUSH", 1), "SWAP1", "SUB", ("PUSH", 0), "MSTORE",
        ("PUSH", returned), ("PUSH", 0), ("PUSH", max(calldata, 32)), ("PUSH", 0), ("PUSH", 0), "ADDRESS",
        "GAS", "CALL", "POP",
        ("LABEL", "end"), ("PUSH", returned), ("PUSH", 0), "RETURN",
    ])  # fmt: skip
    return code, (1024).to_bytes(32, "big")


def creations(init: int) -> tuple[bytes, bytes]:
    """A CREATE2 chain: the code copies itself, padded with zeros to `init` bytes, as the init code
    of a creation that does the same, as deep as the gas goes; each level then creates once more."""
    step: list[Instruction] = ["GAS", ("PUSH", init), ("PUSH", 0), ("PUSH", 0), "CREATE2", "POP"]
    code = assemble([
        ("PUSH", RESERVE), "GAS", "LT", ("PUSHLABEL", "end"), "JUMPI",
        "CODESIZE", ("PUSH", 0), ("PUSH", 0), "CODECOPY", *_touch(init), *step, *step,
        ("LABEL", "end"), "STOP",
    ])  # fmt: skip
    return code, b""


def logs(data: int, topics: int) -> tuple[bytes, bytes]:
    """LOG<topics> of `data` bytes of memory, until the gas is gone."""
    body: list[Instruction] = [*(["GAS"] * topics), ("PUSH", data), ("PUSH", 0), f"LOG{topics}"]
    return assemble([*_touch(data), *_loop(body)]), b""


def copies(size: int) -> tuple[bytes, bytes]:
    """KECCAK256, CALLDATACOPY, CODECOPY, the identity precompile and RETURNDATACOPY over `size`
    bytes of memory, until the gas is gone."""
    body: list[Instruction] = [
        ("PUSH", size), ("PUSH", 0), "SHA3", "POP",
        ("PUSH", size), ("PUSH", 0), ("PUSH", 0), "CALLDATACOPY",
        ("PUSH", size), ("PUSH", 0), ("PUSH", 0), "CODECOPY",
        ("PUSH", size), ("PUSH", 0), ("PUSH", size), ("PUSH", 0), ("PUSH", IDENTITY), "GAS", "STATICCALL",
        "POP",
        "RETURNDATASIZE", ("PUSH", 0), ("PUSH", 0), "RETURNDATACOPY",
    ]  # fmt: skip
    return assemble([*_touch(size), *_loop(body)]), b"\x01" * 64


def deploys(size: int) -> tuple[bytes, bytes]:
    """CREATE, until the gas is gone, of contracts of `size` bytes of code: init code that returns
    `size` bytes of its (zero) memory, deposited at 200 gas a byte."""
    init = assemble([("PUSH", size), ("PUSH", 0), "RETURN"])
    body: list[Instruction] = [("PUSH", len(init)), ("PUSH", 32 - len(init)), ("PUSH", 0), "CREATE", "POP"]
    return assemble([("PUSH", int.from_bytes(init, "big")), ("PUSH", 0), "MSTORE", *_loop(body)]), b""


def accounts(stores: int) -> tuple[bytes, bytes]:
    """A fresh account (BALANCE of an unseen address) and a fresh slot (SLOAD) per iteration, and
    `stores` new slots written: addresses and keys come from the gas left, never the same twice."""
    body: list[Instruction] = ["GAS", "BALANCE", "POP", "GAS", "SLOAD", "POP",
                               *[x for _ in range(stores) for x in (("PUSH", 1), "GAS", "SSTORE")]]
    return assemble(_loop(body)), b""


CODE_BASE = 0xB0 << 152        # the contracts of `code_reads` are CODE_BASE + i


def _contract(i: int) -> bytes:
    """The address of `code_reads`' contract i."""
    return (CODE_BASE | i).to_bytes(20, "big")


def code_reads(contracts: int, size: int) -> tuple[bytes, bytes]:
    """A cold EXTCODESIZE of each of `contracts` distinct contracts of `size` bytes in the pre-state
    (S version 2 reads each code through the oracle: spec §4.9, "S version 2's heap")."""
    body: list[Instruction] = [x for i in range(contracts)
                               for x in (("PUSH", int.from_bytes(_contract(i), "big")), "EXTCODESIZE", "POP")]
    return assemble([*body, "STOP"]), b""


def code_reads_world(contracts: int, size: int) -> list[Account]:
    """The contracts `code_reads` reads: distinct code of `size` bytes each (JUMPDESTs, then i)."""
    return [Account(_contract(i), code=b"\x5b" * max(size - 4, 0) + i.to_bytes(4, "big"))
            for i in range(contracts)]


def slot_reads(slots: int) -> tuple[bytes, bytes]:
    """A cold SLOAD of each of `slots` slots the target holds in the pre-state (version 2 reads each
    from its storage trie)."""
    body: list[Instruction] = [x for k in range(slots) for x in (("PUSH", k + 1), "SLOAD", "POP")]
    return assemble([*body, "STOP"]), b""


def journal(slots: int) -> tuple[bytes, bytes]:
    """Calls, until the gas is gone, of a helper that rewrites `slots` of its slots with the gas left:
    after the first call each write is 100 gas and one journal entry (a new checkpoint each call)."""
    body: list[Instruction] = [("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", 0), ("PUSH", 0),
                               ("PUSH", int.from_bytes(HELPER, "big")), "GAS", "CALL", "POP"]
    return assemble(_loop(body)), b""


def journal_helper(slots: int) -> bytes:
    """The helper of `journal`: SSTORE(k, GAS) for k < slots."""
    return assemble([x for k in range(slots) for x in ("GAS", ("PUSH", k), "SSTORE")] + ["STOP"])


def transient(stores: int, fresh: int) -> tuple[bytes, bytes]:
    """`stores` TSTOREs an iteration, until the gas is gone, of the gas left at a key that is the gas
    left too (fresh: a new transient entry each) or 0 (fresh = 0: one entry, a journal entry each)."""
    key: Instruction = "GAS" if fresh else "PUSH0"
    return assemble(_loop([x for _ in range(stores) for x in ("GAS", key, "TSTORE")])), b""


FAMILIES: dict[str, Callable[..., tuple[bytes, bytes]]] = {
    "recursion": recursion,
    "creations": creations,
    "logs": logs,
    "copies": copies,
    "deploys": deploys,
    "accounts": accounts,
    "journal": journal,
    "code_reads": code_reads,
    "slot_reads": slot_reads,
    "access_list": lambda addresses, keys: (b"\x00", b""),
    "transient": transient,
}
CANCUN_FAMILIES = frozenset({"transient"})  # blocks of the Cancun fork, the EIP-4788 contract present
BEACON_ROOTS = Account(BEACON_ROOTS_ADDRESS, code=BEACON_ROOTS_CONTRACT_CODE, nonce=1)


def _access_list(addresses: int, keys: int) -> tuple[tuple[bytes, tuple[int, ...]], ...]:
    """`addresses` distinct addresses with `keys` storage keys each."""
    return tuple(((0xA0 << 152 | i).to_bytes(20, "big"), tuple(range(keys))) for i in range(addresses))


def heap_block(family: str, knobs: tuple[int, ...], gas: int, machine: Machine | None = None) -> HeapBlock:
    """The block of a family with its knobs and about `gas` gas (an access list sets its own), built
    (and checked) by `machine` (A by default)."""
    code, data = FAMILIES[family](*knobs)
    storage = tuple((k + 1, k + 1) for k in range(knobs[0])) if family == "slot_reads" else ()
    contracts = [Account(TARGET, code=code, storage=storage)]
    if family == "code_reads":
        contracts.extend(code_reads_world(*knobs))
    if family == "journal":
        contracts.append(Account(HELPER, code=journal_helper(*knobs)))
    access = _access_list(*knobs) if family == "access_list" else ()
    if access:
        gas = 21_000 + sum(2_400 + 1_900 * len(k) for _, k in access) + 10_000
    fork = Fork.CANCUN if family in CANCUN_FAMILIES else Fork.SHANGHAI
    if fork == Fork.CANCUN:
        contracts.append(BEACON_ROOTS)
    people = [Account(address_of(KEY), balance=10**24), *contracts]
    pre = tuple(sorted(people, key=lambda account: account.address))
    genesis = genesis_header(fork, pre, gas_limit=BLOCK_GAS_LIMIT)
    state = EssentialState(1, fork, genesis, accounts=pre)
    tx = Tx(KEY, TARGET, gas=gas, data=data, max_fee=10**9, access_list=access)
    return HeapBlock(family, knobs, build_chain(state, [[tx]], machine), gas)


def baseline_block() -> EssentialState:
    """A plain transfer on a small pre-state: the heap of loading S and of one transaction."""
    pre = tuple(sorted([Account(address_of(KEY), balance=10**24), Account(TARGET, code=b"\x00")],
                       key=lambda account: account.address))
    genesis = genesis_header(Fork.SHANGHAI, pre, gas_limit=BLOCK_GAS_LIMIT)
    state = EssentialState(1, Fork.SHANGHAI, genesis, accounts=pre)
    return build_chain(state, [[Tx(KEY, TARGET, gas=21_000, max_fee=10**9)]])
