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


def test_a_chain_of_blocks_has_distinct_senders_and_replays_on_a(tmp_path: Path) -> None:
    world = ScaleWorld.make("erc20", 100, 3, blocks=2)
    store = PreimageStore(tmp_path / "c.sqlite")
    state = scale_chain(world, store)
    assert state.inbox.length == 2 and world.txs == 3
    exporter = ExporterV2(store)
    for _ in range(2):
        state, info, _witness = exporter.export(state)
        assert info is not None and info.status == Status.ACCEPTED and info.transactions == 3
    senders = [tx.key for block in range(2) for tx in world.transactions(block)]
    assert len(set(senders)) == 6


def test_state_from_workload_writes_a_replayable_v2_chain(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    from fastvm.codec_v2 import decode_v2
    from swapping.cli import main

    out = tmp_path / "S.bin"
    assert main(["state", "from-workload", "erc20", "--accounts", "300", "--blocks", "2", "--txs", "3",
                 "-o", str(out)]) == 0
    assert "300 accounts, 2 blocks of 3 erc20" in capsys.readouterr().out
    state = decode_v2(out.read_bytes())
    assert state.inbox.length == 2 and (tmp_path / "preimages.sqlite").is_file()
    exporter = ExporterV2(PreimageStore(tmp_path / "preimages.sqlite"))
    for _ in range(2):
        state, info, _witness = exporter.export(state)
        assert info is not None and info.status == Status.ACCEPTED


def test_state_from_workload_refuses_a_world_too_small_in_one_line(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture) -> None:
    from swapping.cli import main

    assert main(["state", "from-workload", "transfers", "--accounts", "30", "--txs", "10", "--blocks", "2",
                 "-o", str(tmp_path / "S.bin")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot hold 20 senders" in err
