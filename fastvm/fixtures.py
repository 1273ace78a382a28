"""BlockchainTests fixtures: a test's initial S (genesis, pre-state, blocks in the inbox) and expectations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.errors import SwapvmError
from fastvm import rlpx
from fastvm.forks import fork_from_name, fork_schedule
from fastvm.genesis import MAINNET_DEPOSIT_CONTRACT
from fastvm.preimages import PreimageStore
from fastvm.state import Account, EssentialState, Fork
from fastvm.state_v2 import ChainConfig, EssentialStateV2, ForkEntry

FIXTURE_CHAIN_ID = 1  # the consensus tests sign for chain id 1


@dataclass(frozen=True, slots=True)
class FixtureTest:
    """One test of a BlockchainTests file, reduced to what machine A needs."""

    name: str
    path: str
    fork: Fork
    genesis_rlp: bytes
    pre: tuple[Account, ...]
    blocks: tuple[bytes, ...]
    expect_valid: tuple[bool, ...]
    expect_exception: tuple[str, ...]  # "" for valid blocks
    post: tuple[Account, ...] | None  # None when the fixture only gives postStateHash
    post_state_hash: bytes | None
    last_block_hash: bytes
    side_chains: bool  # some block belongs to a chain other than "default"
    network: str = ""  # the fixture's network name
    schedule: tuple[tuple[Fork, int], ...] = ()  # (fork, activation time): one entry but for transitions


def _hex(value: str, where: str) -> bytes:
    """Bytes of a 0x-prefixed hex string."""
    try:
        text = value[2:] if value.startswith(("0x", "0X")) else value
        return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)
    except (ValueError, AttributeError, TypeError) as exc:
        raise SwapvmError(f"fixture: {where} is not a hex string: {value!r}") from exc


def _int(value: str | int, where: str) -> int:
    """An integer given as a hex string (or a plain int)."""
    if isinstance(value, int):
        return value
    return int.from_bytes(_hex(value, where), "big")


def accounts_from_json(section: dict[str, Any], where: str) -> tuple[Account, ...]:
    """A fixture's pre/postState as canonical accounts (sorted, zero slots dropped)."""
    if not isinstance(section, dict):
        raise SwapvmError(f"fixture: {where} is not an object")
    accounts = []
    for address_hex, body in section.items():
        address = _hex(address_hex, f"{where} address")
        if len(address) != 20:
            raise SwapvmError(f"fixture: {where} address {address_hex} is not 20 bytes")
        try:
            storage = {
                _int(k, f"{where}.{address_hex}.storage key"): _int(v, f"{where}.{address_hex}.storage value")
                for k, v in body.get("storage", {}).items()
            }
            accounts.append(
                Account(
                    address=address,
                    nonce=_int(body.get("nonce", "0x0"), f"{where}.{address_hex}.nonce"),
                    balance=_int(body.get("balance", "0x0"), f"{where}.{address_hex}.balance"),
                    code=_hex(body.get("code", "0x"), f"{where}.{address_hex}.code"),
                    storage=tuple(sorted((k, v) for k, v in storage.items() if v)),
                )
            )
        except AttributeError as exc:
            raise SwapvmError(f"fixture: {where}.{address_hex} is not an account object") from exc
    accounts.sort(key=lambda a: a.address)
    return tuple(accounts)


def parse_test(name: str, body: dict[str, Any], path: str = "") -> FixtureTest:
    """One fixture test from its JSON object."""
    try:
        blocks = body["blocks"]
        schedule = fork_schedule(body["network"])
        fork = schedule[0][0]
        post = accounts_from_json(body["postState"], f"{name}.postState") if "postState" in body else None
        post_hash = _hex(body["postStateHash"], f"{name}.postStateHash") if "postStateHash" in body else None
        return FixtureTest(
            name=name,
            path=path,
            fork=fork,
            genesis_rlp=_hex(body["genesisRLP"], f"{name}.genesisRLP"),
            pre=accounts_from_json(body["pre"], f"{name}.pre"),
            blocks=tuple(_hex(b["rlp"], f"{name}.blocks[{i}].rlp") for i, b in enumerate(blocks)),
            expect_valid=tuple("expectException" not in b for b in blocks),
            expect_exception=tuple(b.get("expectException", "") for b in blocks),
            post=post,
            post_state_hash=post_hash,
            last_block_hash=_hex(body["lastblockhash"], f"{name}.lastblockhash"),
            side_chains=any(b.get("chainname", "default") != "default" for b in blocks),
            network=body["network"],
            schedule=schedule,
        )
    except KeyError as exc:
        raise SwapvmError(f"fixture: test {name} has no {exc.args[0]!r} field") from exc
    except TypeError as exc:
        raise SwapvmError(f"fixture: test {name} is not a BlockchainTests object ({exc})") from exc


def load_file(path: Path) -> list[FixtureTest]:
    """Every test of one BlockchainTests JSON file."""
    return [parse_test(name, body, str(path)) for name, body in read_tests(path).items()]


def read_tests(path: Path) -> dict[str, Any]:
    """The JSON object of one BlockchainTests file, test name -> body (each parsed by parse_test)."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise SwapvmError(f"fixture: cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise SwapvmError(f"fixture: {path} is not JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise SwapvmError(f"fixture: {path} is not a JSON object of tests")
    return data


def fixture_files(paths: list[Path]) -> Iterator[Path]:
    """Every .json file under the given files and directories, in sorted order."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(path.rglob("*.json"))
        elif path.exists():
            yield path
        else:
            raise SwapvmError(f"fixture: {path} does not exist")


def genesis_header(genesis_rlp: bytes, fork: Fork) -> bytes:
    """The header RLP inside a genesis block's RLP."""
    try:
        item = rlpx.decode(genesis_rlp, "genesisRLP")
    except rlpx.RlpError as exc:
        raise SwapvmError(f"fixture: {exc}") from exc
    if not isinstance(item, list) or not item or not isinstance(item[0], list):
        raise SwapvmError("fixture: genesisRLP is not a block [header, ...]")
    return rlpx.encode(item[0])


def version_1_refusal(test: FixtureTest) -> str | None:
    """Why S version 1 cannot hold a test (a network that switches forks), or None."""
    if len(test.schedule) <= 1:
        return None
    try:
        fork_from_name(test.network)
    except SwapvmError as exc:
        return str(exc)
    return f"network {test.network!r} has a fork schedule, which S version 1 cannot hold"


def initial_state(test: FixtureTest) -> EssentialState:
    """S0 of a test: chain id 1, the genesis header as parent, the pre-state, every block in the inbox.

    S version 1 holds one fork: a transition test is refused in one line (initial_state_v2 holds it)."""
    refusal = version_1_refusal(test)
    if refusal:
        raise SwapvmError(f"fixture: test {test.name}: {refusal}")
    return EssentialState(
        chain_id=FIXTURE_CHAIN_ID,
        fork=test.fork,
        parent_header=genesis_header(test.genesis_rlp, test.fork),
        accounts=test.pre,
        inbox=test.blocks,
    )


def chain_config(test: FixtureTest) -> ChainConfig:
    """The chain configuration of a test on S version 2: chain id 1, its network's schedule with each
    fork's default blob parameters, Prague's mainnet deposit contract when the schedule reaches it."""
    forks = tuple(ForkEntry.with_defaults(fork, time) for fork, time in test.schedule)
    deposit = bytes.fromhex(MAINNET_DEPOSIT_CONTRACT[2:]) if forks[-1].fork >= Fork.PRAGUE else b""
    return ChainConfig(FIXTURE_CHAIN_ID, forks, deposit)


def initial_state_v2(test: FixtureTest, store: PreimageStore) -> EssentialStateV2:
    """S0 of a test on S version 2: its pre-state world, genesis header and inbox written into the store."""
    from fastvm.export_v2 import to_version_2

    genesis = genesis_header(test.genesis_rlp, test.fork)
    state = EssentialState(chain_id=FIXTURE_CHAIN_ID, fork=test.fork, parent_header=genesis,
                           accounts=test.pre, inbox=test.blocks)
    return to_version_2(state, store, chain_config(test))
