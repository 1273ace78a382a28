"""A geth-style genesis file (spec §4.7): the chain id, the fork, the genesis header and the alloc.

Only what swapvm implements is accepted: every block-numbered fork active at block 0, the merge at
genesis (terminal total difficulty 0), Shanghai active at genesis, Cancun and Prague by timestamp with
their default blob parameters. Anything that would change the chain's semantics otherwise (a
pre-Shanghai start, a later fork such as osakaTime, a blobSchedule of other values, clique, another
deposit contract) is refused by name, never ignored; so is any field this reader does not know.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError
from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.state import Account, Fork

# Forks by block number that must all be active at block 0 (swapvm implements no pre-London rules).
REQUIRED_BLOCK_FORKS = ("homesteadBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock",
                        "constantinopleBlock", "petersburgBlock", "istanbulBlock", "berlinBlock",
                        "londonBlock")
OPTIONAL_BLOCK_FORKS = ("muirGlacierBlock", "arrowGlacierBlock", "grayGlacierBlock", "mergeNetsplitBlock")
TIME_FORKS = (("shanghaiTime", Fork.SHANGHAI), ("cancunTime", Fork.CANCUN), ("pragueTime", Fork.PRAGUE))
# EIP-4844 and EIP-7691: the blob parameters A follows.
DEFAULT_BLOB_SCHEDULE = {"cancun": {"target": 3, "max": 6, "baseFeeUpdateFraction": 3338477},
                         "prague": {"target": 6, "max": 9, "baseFeeUpdateFraction": 5007716}}
MAINNET_DEPOSIT_CONTRACT = "0x00000000219ab540356cbb839cbe05303d7705fa"
INFORMATIVE_CONFIG = ("eip150Hash", "terminalTotalDifficultyPassed")   # no effect on a merged chain
HEADER_KEYS = ("nonce", "timestamp", "extraData", "gasLimit", "difficulty", "mixHash", "coinbase", "number",
               "gasUsed", "parentHash", "baseFeePerGas", "excessBlobGas", "blobGasUsed")
ACCOUNT_KEYS = ("balance", "nonce", "code", "storage", "secretKey")   # secretKey: a test key, no semantics
INITIAL_BASE_FEE = 1_000_000_000   # geth's genesis base fee when baseFeePerGas is absent (EIP-1559)
EMPTY_TRIE_ROOT = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
EMPTY_OMMERS_HASH = keccak(rlpx.encode([]))
EMPTY_REQUESTS_HASH = hashlib.sha256(b"").digest()   # EIP-7685, no requests


@dataclass(frozen=True)
class Genesis:
    """What a genesis file gives S: chain id, fork, the genesis header RLP, the accounts, later forks."""

    chain_id: int
    fork: Fork
    header: bytes
    accounts: tuple[Account, ...]
    later_forks: tuple[tuple[str, int], ...]   # (config key, timestamp) of forks after the genesis fork

    @property
    def hash(self) -> bytes:
        """The genesis block's hash."""
        return keccak(self.header)


def _refuse(what: str, why: str) -> SwapvmError:
    """The one-line refusal of a genesis field."""
    return SwapvmError(f"genesis: {what}: {why}")


def quantity(value: Any, what: str) -> int:
    """A non-negative integer given as a JSON number, a 0x-hex string or a decimal string."""
    if isinstance(value, bool):
        raise _refuse(what, f"{value!r} is not a number")
    if isinstance(value, int):
        result = value
    elif isinstance(value, str) and value.lower().startswith("0x"):
        try:
            result = int(value, 16) if len(value) > 2 else 0
        except ValueError:
            raise _refuse(what, f"{value!r} is not a hex number") from None
    elif isinstance(value, str) and value.isdigit():
        result = int(value)
    else:
        raise _refuse(what, f"{value!r} is not a number")
    if result < 0:
        raise _refuse(what, "is negative")
    return result


def data(value: Any, what: str, size: int | None = None) -> bytes:
    """Bytes given as a hex string (0x optional), of exactly `size` bytes when given."""
    if not isinstance(value, str):
        raise _refuse(what, f"{value!r} is not a hex string")
    digits = value[2:] if value.lower().startswith("0x") else value
    try:
        raw = bytes.fromhex(digits if len(digits) % 2 == 0 else "0" + digits)
    except ValueError:
        raise _refuse(what, f"{value!r} is not a hex string") from None
    if size is not None and len(raw) != size:
        raise _refuse(what, f"has {len(raw)} bytes, not {size}")
    return raw


def _check_block_forks(config: dict[str, Any]) -> None:
    """Every block-numbered fork at block 0, the DAO fork not supported, no proof-of-work prefix."""
    for key in REQUIRED_BLOCK_FORKS:
        if key not in config:
            raise _refuse(f"config.{key}", "missing: the chain would start before it, and swapvm implements "
                          "no pre-Shanghai rules")
    for key in (*REQUIRED_BLOCK_FORKS, *OPTIONAL_BLOCK_FORKS):
        if key in config and quantity(config[key], f"config.{key}") != 0:
            raise _refuse(f"config.{key}", f"{config[key]}: a pre-Shanghai fork would be active after "
                          "block 0 (swapvm implements Shanghai, Cancun and Prague only)")
    if config.get("daoForkSupport"):
        raise _refuse("config.daoForkSupport", "the DAO fork's irregular state change is not implemented")
    if "terminalTotalDifficulty" in config and quantity(config["terminalTotalDifficulty"],
                                                        "config.terminalTotalDifficulty") != 0:
        raise _refuse("config.terminalTotalDifficulty", "the chain starts with proof of work; swapvm needs "
                      "the merge at genesis (0)")


def _check_extras(config: dict[str, Any], known: set[str]) -> None:
    """Refuse consensus engines, another deposit contract, other blob parameters, unknown keys."""
    for key, value in config.items():
        if key in known or key in INFORMATIVE_CONFIG:
            continue
        if key == "ethash" and value == {}:
            continue   # an empty ethash section changes nothing once the merge is at genesis
        if key == "depositContractAddress":
            if str(value).lower() != MAINNET_DEPOSIT_CONTRACT:
                raise _refuse("config.depositContractAddress", f"{value}: A reads deposits (EIP-6110) from "
                              f"the mainnet contract {MAINNET_DEPOSIT_CONTRACT} only")
            continue
        if key == "blobSchedule":
            _check_blob_schedule(value)
            continue
        if key.endswith("Time") or key.endswith("Block"):
            raise _refuse(f"config.{key}", "a fork swapvm does not implement (only Shanghai, Cancun, Prague)")
        raise _refuse(f"config.{key}", "not a field swapvm implements; refused rather than ignored")


def _check_blob_schedule(schedule: Any) -> None:
    """Only the default blob parameters of Cancun and Prague, which A follows."""
    if not isinstance(schedule, dict):
        raise _refuse("config.blobSchedule", "is not an object")
    for fork, params in schedule.items():
        if fork not in DEFAULT_BLOB_SCHEDULE:
            raise _refuse(f"config.blobSchedule.{fork}", "blob parameters of a fork swapvm lacks")
        if params != DEFAULT_BLOB_SCHEDULE[fork]:
            raise _refuse(f"config.blobSchedule.{fork}", f"{params} differs from the parameters A follows, "
                          f"{DEFAULT_BLOB_SCHEDULE[fork]}")


def _schedule(config: dict[str, Any], timestamp: int) -> tuple[Fork, tuple[tuple[str, int], ...]]:
    """The fork active at the genesis timestamp and the later ones (key, time), in order."""
    times = {key: quantity(config[key], f"config.{key}") for key, _ in TIME_FORKS if key in config}
    if "shanghaiTime" not in times or times["shanghaiTime"] > timestamp:
        when = f"{times['shanghaiTime']}" if "shanghaiTime" in times else "never"
        raise _refuse("config.shanghaiTime", f"Shanghai starts {when}, after the genesis timestamp "
                      f"{timestamp}: a pre-Shanghai fork would be active, and swapvm implements Shanghai, "
                      "Cancun and Prague only")
    present = [key for key, _ in TIME_FORKS if key in times]
    if present != [key for key, _ in TIME_FORKS][: len(present)]:
        raise _refuse("config", f"fork times {', '.join(present)} skip a fork (Shanghai, Cancun, Prague)")
    ordered = [times[key] for key in present]
    if ordered != sorted(ordered):
        raise _refuse("config", f"fork times {', '.join(present)} are not in ascending order")
    fork = max(f for key, f in TIME_FORKS if key in times and times[key] <= timestamp)
    later = tuple((key, times[key]) for key, f in TIME_FORKS if key in times and times[key] > timestamp)
    return fork, later


def _accounts(alloc: Any) -> tuple[Account, ...]:
    """The alloc as canonical accounts (sorted by address, zero storage slots dropped)."""
    if not isinstance(alloc, dict):
        raise _refuse("alloc", "is not an object")
    accounts = []
    for address_text, body in alloc.items():
        where = f"alloc.{address_text}"
        if not isinstance(body, dict):
            raise _refuse(where, "is not an account object")
        unknown = sorted(set(body) - set(ACCOUNT_KEYS))
        if unknown:
            raise _refuse(f"{where}.{unknown[0]}", "not an account field swapvm implements")
        storage = {int.from_bytes(data(k, f"{where}.storage key"), "big"):
                   int.from_bytes(data(v, f"{where}.storage[{k}]"), "big")
                   for k, v in body.get("storage", {}).items()}
        accounts.append(Account(
            address=data(address_text, where, 20),
            nonce=quantity(body.get("nonce", 0), f"{where}.nonce"),
            balance=quantity(body.get("balance", 0), f"{where}.balance"),
            code=data(body.get("code", "0x"), f"{where}.code"),
            storage=tuple(sorted((k, v) for k, v in storage.items() if v)),
        ))
    accounts.sort(key=lambda account: account.address)
    addresses = [account.address for account in accounts]
    if len(set(addresses)) != len(addresses):
        raise _refuse("alloc", "an address appears twice")
    return tuple(accounts)


def _header(spec: dict[str, Any], fork: Fork, state_root: bytes) -> bytes:
    """The genesis header RLP of the fork, with geth's defaults for absent fields."""
    def number(key: str, default: int = 0) -> bytes:
        return rlpx.int_bytes(quantity(spec.get(key, default), key))

    fields: list[bytes] = [
        data(spec.get("parentHash", "0x" + "00" * 32), "parentHash", 32), EMPTY_OMMERS_HASH,
        data(spec.get("coinbase", "0x" + "00" * 20), "coinbase", 20), state_root, EMPTY_TRIE_ROOT,
        EMPTY_TRIE_ROOT, bytes(256), number("difficulty"), number("number"), number("gasLimit"),
        number("gasUsed"), number("timestamp"), data(spec.get("extraData", "0x"), "extraData"),
        data(spec.get("mixHash", "0x" + "00" * 32), "mixHash", 32),
        quantity(spec.get("nonce", 0), "nonce").to_bytes(8, "big"),
        number("baseFeePerGas", INITIAL_BASE_FEE), EMPTY_TRIE_ROOT,
    ]
    if fork >= Fork.CANCUN:
        fields += [number("blobGasUsed"), number("excessBlobGas"), bytes(32)]
    if fork >= Fork.PRAGUE:
        fields.append(EMPTY_REQUESTS_HASH)
    return rlpx.encode(fields)


def parse_genesis(spec: Any) -> Genesis:
    """A genesis from its JSON object; refuses, by name, every field swapvm would not follow."""
    if not isinstance(spec, dict):
        raise _refuse("the file", "is not a JSON object")
    unknown = sorted(set(spec) - {"config", "alloc", *HEADER_KEYS})
    if unknown:
        raise _refuse(unknown[0], "not a genesis field swapvm implements; refused rather than ignored")
    config = spec.get("config")
    if not isinstance(config, dict):
        raise _refuse("config", "missing or not an object")
    if "chainId" not in config or quantity(config["chainId"], "config.chainId") < 1:
        raise _refuse("config.chainId", "missing or 0")
    if quantity(spec.get("number", 0), "number") != 0:
        raise _refuse("number", "a genesis after block 0 has ancestors S would need (BLOCKHASH)")
    _check_block_forks(config)
    known = {"chainId", "terminalTotalDifficulty", "daoForkSupport", *REQUIRED_BLOCK_FORKS,
             *OPTIONAL_BLOCK_FORKS, *(key for key, _ in TIME_FORKS)}
    _check_extras(config, known)
    timestamp = quantity(spec.get("timestamp", 0), "timestamp")
    fork, later = _schedule(config, timestamp)
    accounts = _accounts(spec.get("alloc", {}))
    from fastvm.world import state_root_of

    header = _header(spec, fork, state_root_of(accounts))
    return Genesis(quantity(config["chainId"], "config.chainId"), fork, header, accounts, later)


def load_genesis(path: Path) -> Genesis:
    """A genesis from a geth-style JSON file."""
    try:
        spec = json.loads(Path(path).read_text())
    except OSError as exc:
        raise SwapvmError(f"genesis: cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SwapvmError(f"genesis: {path} is not JSON ({exc})") from None
    return parse_genesis(spec)


def is_genesis(spec: Any) -> bool:
    """True for a JSON object shaped like a genesis (config and alloc), not a BlockchainTests file."""
    return isinstance(spec, dict) and "config" in spec and "alloc" in spec
