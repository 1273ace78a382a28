"""The workload contracts, hand-written and commented: a minimal ERC-20 and three compute-heavy loops.

Stack comments show the stack after each line, top first.
"""

from __future__ import annotations

from emulator.merkle import keccak
from fastvm.evmasm import Instruction, assemble

TRANSFER_SELECTOR = 0xA9059CBB  # transfer(address,uint256)
BALANCE_OF_SELECTOR = 0x70A08231  # balanceOf(address)
TRANSFER_TOPIC = int.from_bytes(keccak(b"Transfer(address,address,uint256)"), "big")
BALANCES_SLOT = 0  # balances: mapping(address => uint256) at slot 0, Solidity layout


def balance_slot(holder: bytes) -> int:
    """The storage slot of a holder's balance: keccak(pad32(holder) ‖ pad32(0))."""
    return int.from_bytes(keccak(holder.rjust(32, b"\x00") + BALANCES_SLOT.to_bytes(32, "big")), "big")


_MAPPING_SLOT: list[Instruction] = [  # [key] -> [slot]: hashes mem[0:32]=key, mem[32:64]=0
    ("PUSH", 0), "MSTORE",
    ("PUSH", BALANCES_SLOT), ("PUSH", 0x20), "MSTORE",
    ("PUSH", 0x40), ("PUSH", 0), "SHA3",
]  # fmt: skip

ERC20: list[Instruction] = [
    ("PUSH", 0), "CALLDATALOAD", ("PUSH", 0xE0), "SHR",                  # [sel]
    "DUP1", ("PUSH", TRANSFER_SELECTOR), "EQ", ("PUSHLABEL", "transfer"), "JUMPI",
    "DUP1", ("PUSH", BALANCE_OF_SELECTOR), "EQ", ("PUSHLABEL", "balance_of"), "JUMPI",
    ("LABEL", "fail"), ("PUSH", 0), "DUP1", "REVERT",
    ("LABEL", "balance_of"),
    ("PUSH", 4), "CALLDATALOAD", *_MAPPING_SLOT,                          # [slot, sel]
    "SLOAD", ("PUSH", 0), "MSTORE", ("PUSH", 0x20), ("PUSH", 0), "RETURN",
    ("LABEL", "transfer"),
    "CALLER", *_MAPPING_SLOT,                                             # [fslot, sel]
    "DUP1", "SLOAD",                                                      # [fbal, fslot, sel]
    ("PUSH", 0x24), "CALLDATALOAD",                                       # [amt, fbal, fslot, sel]
    "DUP1", "DUP3", "LT", ("PUSHLABEL", "fail"), "JUMPI",                 # revert if fbal < amt
    "DUP1", "DUP3", "SUB", "DUP4", "SSTORE",                              # balances[caller] = fbal - amt
    ("PUSH", 4), "CALLDATALOAD", *_MAPPING_SLOT,                          # [tslot, amt, fbal, fslot, sel]
    "DUP1", "SLOAD", "DUP3", "ADD", "SWAP1", "SSTORE",                    # balances[to] += amt
    ("PUSH", 0), "MSTORE",                                                # mem[0:32]=amt; [fbal, fslot, sel]
    ("PUSH", 4), "CALLDATALOAD", "CALLER", ("PUSH", TRANSFER_TOPIC),      # topics: sig, from, to
    ("PUSH", 0x20), ("PUSH", 0), "LOG3",                                  # Transfer(from, to, amt)
    ("PUSH", 1), ("PUSH", 0), "MSTORE", ("PUSH", 0x20), ("PUSH", 0), "RETURN",  # return true
]  # fmt: skip

_COUNT_DOWN: list[Instruction] = [  # [x, n] -> [x, n - 1]
    "SWAP1", ("PUSH", 1), "SWAP1", "SUB", "SWAP1",
]  # fmt: skip

ARITH_LOOP: list[Instruction] = [  # calldata: n; acc := acc * 3 + 7, n times; slot 0 := acc
    ("PUSH", 0), "CALLDATALOAD", ("PUSH", 1),                             # [acc, n]
    ("LABEL", "loop"), "DUP2", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
    ("PUSH", 3), "MUL", ("PUSH", 7), "ADD", *_COUNT_DOWN, ("PUSHLABEL", "loop"), "JUMP",
    ("LABEL", "end"), ("PUSH", 0), "SSTORE", "STOP",
]  # fmt: skip

KECCAK_LOOP: list[Instruction] = [  # calldata: n; acc := keccak(acc), n times; slot 0 := acc
    ("PUSH", 0), "CALLDATALOAD", ("PUSH", 0),                             # [acc, n]
    ("LABEL", "loop"), "DUP2", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
    ("PUSH", 0), "MSTORE", ("PUSH", 0x20), ("PUSH", 0), "SHA3",           # [keccak(acc), n]
    *_COUNT_DOWN, ("PUSHLABEL", "loop"), "JUMP",
    ("LABEL", "end"), ("PUSH", 0), "SSTORE", "STOP",
]  # fmt: skip

SSTORE_LOOP: list[Instruction] = [  # calldata: start, count; slot i := i + 1 for i in [start, start + count)
    ("PUSH", 0x20), "CALLDATALOAD", ("PUSH", 0), "CALLDATALOAD",          # [i, count]
    ("LABEL", "loop"), "DUP2", "ISZERO", ("PUSHLABEL", "end"), "JUMPI",
    "DUP1", ("PUSH", 1), "ADD", "DUP2", "SSTORE",                         # storage[i] = i + 1
    ("PUSH", 1), "ADD", *_COUNT_DOWN, ("PUSHLABEL", "loop"), "JUMP",
    ("LABEL", "end"), "STOP",
]  # fmt: skip

ERC20_CODE = assemble(ERC20)
ARITH_CODE = assemble(ARITH_LOOP)
KECCAK_CODE = assemble(KECCAK_LOOP)
SSTORE_CODE = assemble(SSTORE_LOOP)


def transfer_call(to: bytes, amount: int) -> bytes:
    """Calldata of transfer(to, amount)."""
    return TRANSFER_SELECTOR.to_bytes(4, "big") + to.rjust(32, b"\x00") + amount.to_bytes(32, "big")


def balance_of_call(holder: bytes) -> bytes:
    """Calldata of balanceOf(holder)."""
    return BALANCE_OF_SELECTOR.to_bytes(4, "big") + holder.rjust(32, b"\x00")
