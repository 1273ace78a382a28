"""Deterministic benchmark workloads: S0 with a built inbox of ETH or ERC-20 transfers, or heavy calls.

Everything derives from fixed seeds, so the same arguments give the same S0 (and S root) everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm.builder import Tx, address_of, build_chain, genesis_header
from fastvm.contracts import ARITH_CODE, ERC20_CODE, KECCAK_CODE, SSTORE_CODE, balance_slot, transfer_call
from fastvm.machine import Machine
from fastvm.state import Account, EssentialState, Fork

TOKEN = bytes.fromhex("00000000000000000000000000000000000e2c20")
ARITH = bytes.fromhex("000000000000000000000000000000000000a417")
KECCAK = bytes.fromhex("000000000000000000000000000000000000ecc0")
SSTORE = bytes.fromhex("0000000000000000000000000000000000005705")
ETHER = 10**18
GAS_LIMIT = 60_000_000
SSTORE_SLOTS = 20  # fresh slots written per SSTORE-loop call (~0.46 Mgas)


def key(index: int) -> bytes:
    """The deterministic private key of user `index`."""
    return keccak(b"swapvm workload user" + index.to_bytes(4, "big"))


@dataclass(frozen=True, slots=True)
class Users:
    """N funded users: keys and addresses by index."""

    keys: tuple[bytes, ...]
    addresses: tuple[bytes, ...]

    @classmethod
    def make(cls, count: int) -> Users:
        """The first `count` users."""
        keys = tuple(key(i) for i in range(count))
        return cls(keys, tuple(address_of(k) for k in keys))


def _genesis(accounts: list[Account], fork: Fork) -> EssentialState:
    """S0 without blocks over the given accounts."""
    ordered = tuple(sorted(accounts, key=lambda a: a.address))
    return EssentialState(1, fork, genesis_header(fork, ordered, gas_limit=GAS_LIMIT), accounts=ordered)


def _pairs(users: Users, block: int, count: int) -> list[tuple[int, int]]:
    """Deterministic (sender, receiver) indices for one block; senders distinct inside the block."""
    n = len(users.keys)
    return [((block * count + t) % n, (block * count + t * 7 + 1) % n) for t in range(count)]


def eth_transfers(
    accounts: int, blocks: int, txs: int, fork: Fork = Fork.SHANGHAI, machine: Machine | None = None
) -> EssentialState:
    """`accounts` funded users; each block has `txs` plain ETH transfers between them."""
    users = Users.make(accounts)
    state = _genesis([Account(a, balance=100 * ETHER) for a in users.addresses], fork)
    plan = [
        [Tx(users.keys[s], users.addresses[r], value=1000 + b) for s, r in _pairs(users, b, txs)]
        for b in range(blocks)
    ]
    return build_chain(state, plan, machine, coinbase=users.addresses[0])


def erc20_transfers(
    accounts: int, blocks: int, txs: int, fork: Fork = Fork.SHANGHAI, machine: Machine | None = None
) -> EssentialState:
    """`accounts` users holding ETH and tokens of one ERC-20 token; each block has `txs` token transfers."""
    users = Users.make(accounts)
    storage = tuple(sorted((balance_slot(a), 10**6) for a in users.addresses))
    genesis = [Account(a, balance=100 * ETHER) for a in users.addresses]
    genesis.append(Account(TOKEN, code=ERC20_CODE, storage=storage))
    state = _genesis(genesis, fork)
    plan = [
        [
            Tx(users.keys[s], TOKEN, gas=80_000, data=transfer_call(users.addresses[r], 1 + b))
            for s, r in _pairs(users, b, txs)
        ]
        for b in range(blocks)
    ]
    return build_chain(state, plan, machine, coinbase=users.addresses[0])


def _heavy(contract: bytes, code: bytes, calldata: Callable[[int, int], bytes], gas: int) -> Callable:
    """A workload of calls to one compute-heavy contract; calldata(block, tx) chooses each call's work."""

    def build(
        accounts: int, blocks: int, txs: int, fork: Fork = Fork.SHANGHAI, machine: Machine | None = None
    ) -> EssentialState:
        """S0 with `blocks` blocks of `txs` calls to the contract by `accounts` funded users."""
        users = Users.make(accounts)
        genesis = [Account(a, balance=100 * ETHER) for a in users.addresses] + [Account(contract, code=code)]
        state = _genesis(genesis, fork)
        plan = [
            [
                Tx(users.keys[s], contract, gas=gas, data=calldata(b, t))
                for t, (s, _) in enumerate(_pairs(users, b, txs))
            ]
            for b in range(blocks)
        ]
        return build_chain(state, plan, machine, coinbase=users.addresses[0])

    return build


arith_loops = _heavy(ARITH, ARITH_CODE, lambda b, t: (2_000).to_bytes(32, "big"), 1_000_000)
keccak_loops = _heavy(KECCAK, KECCAK_CODE, lambda b, t: (1_000).to_bytes(32, "big"), 1_000_000)
sstore_loops = _heavy(
    SSTORE,
    SSTORE_CODE,
    lambda b, t: ((b * 10_000 + t) * SSTORE_SLOTS).to_bytes(32, "big") + SSTORE_SLOTS.to_bytes(32, "big"),
    600_000,
)

WORKLOADS: dict[str, Callable[..., EssentialState]] = {
    "transfers": eth_transfers,
    "erc20": erc20_transfers,
    "arith": arith_loops,
    "keccak": keccak_loops,
    "sstore": sstore_loops,
}


def workload(
    name: str, accounts: int, blocks: int, txs: int, machine: Machine | None = None
) -> EssentialState:
    """S0 of a named workload."""
    if name not in WORKLOADS:
        raise SwapvmError(f"unknown workload {name!r}: choose from {', '.join(WORKLOADS)}")
    if accounts < 1 or blocks < 0 or txs < 1:
        raise SwapvmError("a workload needs at least 1 account and 1 transaction per block")
    return WORKLOADS[name](accounts, blocks, txs, machine=machine)
