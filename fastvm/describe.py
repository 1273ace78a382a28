"""S0 from a small user-written description (TOML or JSON): named keys, accounts, and blocks of transactions.

Format (every field but `accounts` optional):

    chain_id = 1                 # default 1
    fork = "shanghai"            # shanghai | cancun | prague
    gas_limit = 30000000         # of the genesis block (and, unchanged, of every built block)
    base_fee = 7                 # genesis base fee per gas
    timestamp = 0                # genesis timestamp; each block is 12 s later

    [keys]                       # private keys by name, 32 bytes hex
    alice = "0x0101…01"

    [[accounts]]
    key = "alice"                # or: address = "0x…" (20 bytes)
    balance = "1000000000000000000"   # int, decimal string or 0x-hex string
    nonce = 0
    code = "0x…"
    storage = { "0x00" = "0x01" }

    [[blocks]]
    transactions = [
      { from = "alice", to = "bob", value = 1000 },              # to: a key name or an address
      { from = "alice", data = "0x6001600055", gas = 100000 },   # no `to`: contract creation
    ]

Transaction fields: from (key name), to, value, gas (21000), data, max_fee (10 gwei),
priority_fee (1 wei), legacy (false). Nonces are assigned in order.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError
from fastvm.builder import DEFAULT_BASE_FEE, DEFAULT_GAS_LIMIT, Tx, address_of, build_chain, genesis_header
from fastvm.forks import fork_from_name
from fastvm.state import UINT256_LIMIT, Account, EssentialState

_TOP = {"chain_id", "fork", "gas_limit", "base_fee", "timestamp", "keys", "accounts", "blocks"}
_ACCOUNT = {"key", "address", "balance", "nonce", "code", "storage"}
_TX = {"from", "to", "value", "gas", "data", "max_fee", "priority_fee", "legacy"}


def _int(value: Any, where: str) -> int:
    """A non-negative integer below 2^256 from an int, a decimal string or a 0x-hex string."""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = value if isinstance(value, int) else int(value, 0)
    except (TypeError, ValueError) as exc:
        raise SwapvmError(f"description: {where} is not an integer: {value!r}") from exc
    if not 0 <= number < UINT256_LIMIT:
        raise SwapvmError(f"description: {where} = {number} is outside 0 … 2^256 - 1")
    return number


def _hex(value: Any, where: str, size: int | None = None) -> bytes:
    """Bytes from a 0x-hex string, optionally of an exact size."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise SwapvmError(f"description: {where} must be a 0x-prefixed hex string")
    try:
        data = bytes.fromhex(value[2:])
    except ValueError as exc:
        raise SwapvmError(f"description: {where} is not valid hex") from exc
    if size is not None and len(data) != size:
        raise SwapvmError(f"description: {where} has {len(data)} bytes, expected {size}")
    return data


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    """Refuse unknown fields (a typo would otherwise be silently ignored)."""
    if not isinstance(table, dict):
        raise SwapvmError(f"description: {where} must be a table/object")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise SwapvmError(f"description: {where} has unknown field(s) {', '.join(unknown)}")


def _address(value: Any, keys: dict[str, bytes], where: str) -> bytes:
    """A key name's address or a literal 20-byte address."""
    if isinstance(value, str) and value in keys:
        return address_of(keys[value])
    return _hex(value, where, 20)


def _account(entry: dict, keys: dict[str, bytes], where: str) -> Account:
    """One genesis account."""
    _check_keys(entry, _ACCOUNT, where)
    if ("key" in entry) == ("address" in entry):
        raise SwapvmError(f"description: {where} needs exactly one of key, address")
    if "key" in entry and entry["key"] not in keys:
        raise SwapvmError(f"description: {where}.key {entry['key']!r} is not in [keys]")
    address = (
        address_of(keys[entry["key"]]) if "key" in entry else _hex(entry["address"], f"{where}.address", 20)
    )
    storage_table = entry.get("storage", {})
    _check_keys(storage_table, set(storage_table), f"{where}.storage")
    storage = {
        _int(k, f"{where}.storage key"): _int(v, f"{where}.storage[{k}]") for k, v in storage_table.items()
    }
    return Account(
        address=address,
        nonce=_int(entry.get("nonce", 0), f"{where}.nonce"),
        balance=_int(entry.get("balance", 0), f"{where}.balance"),
        code=_hex(entry.get("code", "0x"), f"{where}.code"),
        storage=tuple(sorted((k, v) for k, v in storage.items() if v)),
    )


def _transaction(entry: dict, keys: dict[str, bytes], where: str) -> Tx:
    """One transaction to build and sign."""
    _check_keys(entry, _TX, where)
    if entry.get("from") not in keys:
        raise SwapvmError(f"description: {where}.from must name a key of [keys]")
    return Tx(
        key=keys[entry["from"]],
        to=_address(entry["to"], keys, f"{where}.to") if "to" in entry else None,
        value=_int(entry.get("value", 0), f"{where}.value"),
        gas=_int(entry.get("gas", 21_000), f"{where}.gas"),
        data=_hex(entry.get("data", "0x"), f"{where}.data"),
        max_fee=_int(entry.get("max_fee", 10**10), f"{where}.max_fee"),
        priority_fee=_int(entry.get("priority_fee", 1), f"{where}.priority_fee"),
        legacy=bool(entry.get("legacy", False)),
    )


def state_from_description(data: dict) -> EssentialState:
    """S0 of a description: genesis from the accounts, then one valid built block per [[blocks]] entry."""
    _check_keys(data, _TOP, "the top level")
    keys_table = data.get("keys", {})
    _check_keys(keys_table, set(keys_table), "[keys]")
    keys = {name: _hex(value, f"keys.{name}", 32) for name, value in keys_table.items()}
    entries = data.get("accounts", [])
    if not isinstance(entries, list) or not entries:
        raise SwapvmError("description: [[accounts]] must list at least one account")
    accounts = [_account(entry, keys, f"accounts[{i}]") for i, entry in enumerate(entries)]
    if len({a.address for a in accounts}) != len(accounts):
        raise SwapvmError("description: two accounts have the same address")
    accounts.sort(key=lambda a: a.address)
    fork = fork_from_name(str(data.get("fork", "shanghai")))
    chain_id = _int(data.get("chain_id", 1), "chain_id")
    if not 1 <= chain_id < 2**64:
        raise SwapvmError("description: chain_id must be between 1 and 2^64 - 1")
    parent = genesis_header(
        fork,
        tuple(accounts),
        gas_limit=_int(data.get("gas_limit", DEFAULT_GAS_LIMIT), "gas_limit"),
        timestamp=_int(data.get("timestamp", 0), "timestamp"),
        base_fee=_int(data.get("base_fee", DEFAULT_BASE_FEE), "base_fee"),
    )
    state = EssentialState(chain_id=chain_id, fork=fork, parent_header=parent, accounts=tuple(accounts))
    blocks = []
    for index, block in enumerate(data.get("blocks", [])):
        _check_keys(block, {"transactions"}, f"blocks[{index}]")
        txs = block.get("transactions", [])
        blocks.append(
            [_transaction(tx, keys, f"blocks[{index}].transactions[{j}]") for j, tx in enumerate(txs)]
        )
    return build_chain(state, blocks)


def state_from_description_file(path: Path) -> EssentialState:
    """S0 from a .toml or .json description file."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise SwapvmError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if Path(path).suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SwapvmError(f"description: {path} does not parse: {exc}") from exc
    return state_from_description(data)
