"""Scale worlds (fastvm/scale_world.py): squashed build = py-evm's, the block is valid, S stays small."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.errors import SwapvmError
from fastvm.codec_v2 import encode_v2
from fastvm.contentdb import store_world
from fastvm.contracts import ERC20_CODE, balance_slot
from fastvm.export_v2 import ExporterV2
from fastvm.preimages import PreimageStore
from fastvm.scale_world import FILLER_BALANCE, TOKENS_EACH, USER_BALANCE, ScaleWorld, scale_chain
from fastvm.state import Account, Status
from fastvm.workloads import TOKEN


def _accounts(world: ScaleWorld) -> tuple[Account, ...]:
    """The same world as a list of accounts (for a small size only)."""
    users = set(world.users.addresses)
    accounts = [Account(a, balance=USER_BALANCE if a in users else FILLER_BALANCE) for a in world.holders()]
    if world.workload == "erc20":
        storage = tuple(sorted((balance_slot(a), TOKENS_EACH) for a in world.holders()))
        accounts.append(Account(TOKEN, code=ERC20_CODE, storage=storage))
    return tuple(sorted(accounts, key=lambda a: a.address))


@pytest.mark.parametrize("workload", ["transfers", "erc20"])
def test_squashed_world_has_py_evms_root(tmp_path: Path, workload: str) -> None:
    world = ScaleWorld.make(workload, 60, 5)
    root = world.write(PreimageStore(tmp_path / "a.sqlite"))
    assert root == store_world(PreimageStore(tmp_path / "b.sqlite"), _accounts(world))


@pytest.mark.parametrize("workload", ["transfers", "erc20"])
def test_block_is_accepted_with_its_gas(tmp_path: Path, workload: str) -> None:
    store = PreimageStore(tmp_path / "p.sqlite")
    state = scale_chain(ScaleWorld.make(workload, 50, 4), store)
    after, info, witness = ExporterV2(store).export(state)
    assert info is not None and info.status == Status.ACCEPTED
    assert info.transactions == 4
    assert (info.gas_used == 4 * 21_000) == (workload == "transfers")
    assert after.cursor == 1 and witness.entries > 0


def test_s_image_does_not_grow_with_the_world(tmp_path: Path) -> None:
    small = scale_chain(ScaleWorld.make("transfers", 40, 4), PreimageStore(tmp_path / "s.sqlite"))
    large = scale_chain(ScaleWorld.make("transfers", 4000, 4), PreimageStore(tmp_path / "l.sqlite"))
    assert len(encode_v2(small)) == len(encode_v2(large))


def test_receivers_are_distinct_fillers() -> None:
    world = ScaleWorld.make("transfers", 1000, 10)
    receivers = {world.receiver(t) for t in range(10)}
    assert len(receivers) == 10 and not receivers & set(world.users.addresses)


def test_too_small_a_world_is_refused() -> None:
    with pytest.raises(SwapvmError, match="cannot hold"):
        ScaleWorld.make("transfers", 15, 10)
    with pytest.raises(SwapvmError, match="unknown scale workload"):
        ScaleWorld.make("nft", 100, 10)
