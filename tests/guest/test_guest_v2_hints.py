"""The guest's hints (ECALL 64 on fd 3, spec §2.4 and §6.7): the preimages it creates, for the host.

Every engine hands the host the same hints in the same order, and they change no state; after a
block the pre-state store and the hints hold every node of the new state trie and storage tries and
every code reachable from the new root (computed from A's store), which is what lets AB alone run a
later block; nothing hinted lies outside that world.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3

from emulator.merkle import keccak
from emulator.oracle import Hints
from fastvm.codec_v2 import encode_v2
from fastvm.export_v2 import ExporterV2
from fastvm.fixtures import initial_state_v2, load_file
from fastvm.preimages import PreimageStore
from fastvm.witness import state_root_of_header
from swapping.guest_image import GuestImage, guest_image
from swapping.window import WindowResult, run_window

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
QUICK = SHARED / "fixtures" / "ethereum-tests" / "BlockchainTests"
WITHDRAWALS = QUICK / "GeneralStateTests" / "Pyspecs" / "shanghai" / "eip4895_withdrawals"
LARGE_AMOUNT = WITHDRAWALS / "large_amount.json"   # one block, withdrawals only: 0.34 M steps
# Multi-block tests whose later blocks read nodes or code earlier ones created, and a creation.
CHAINS = (
    QUICK / "ValidBlocks" / "bcStateTests" / "logRevert.json",
    QUICK / "ValidBlocks" / "bcStateTests" / "SuicidesMixingCoinbase.json",
    QUICK / "ValidBlocks" / "bcValidBlockTest" / "RecallSuicidedContract.json",
    QUICK / "GeneralStateTests" / "Pyspecs" / "constantinople" / "create2" / "recreate.json",
    WITHDRAWALS / "newly_created_contract.json",
)
WINDOW = 24   # 2^24 steps: every block here yields well within it


@pytest.fixture(scope="module")
def image() -> GuestImage:
    """The guest, built once."""
    return guest_image()


def window(image: GuestImage, s_image: bytes, store: PreimageStore, backend: str,
           hints: Hints | None) -> WindowResult:
    """One AB window over the store, its hints to `hints` (None: no output callback)."""
    output = hints.output if hints is not None else None
    return run_window(image.elf, image.ram_size, image.s_size, WINDOW, s_image, backend, store, output)


@pytest.mark.parametrize("backend", ["reference", "fast"])
def test_every_engine_hints_the_same_payloads_and_keeps_the_same_root(image: GuestImage,
                                                                      backend: str) -> None:
    test = load_file(LARGE_AMOUNT)[0]
    store = PreimageStore()
    s_image = encode_v2(initial_state_v2(test, store))
    reference_hints, hints = Hints(), Hints()
    unicorn = window(image, s_image, store, "unicorn", reference_hints)
    other = window(image, s_image, store, backend, hints)
    silent = window(image, s_image, store, backend, None)   # hints dropped: the machine is the same
    assert unicorn.status == other.status == "yielded"
    assert reference_hints.payloads and hints.payloads == reference_hints.payloads
    assert other.machine_root == unicorn.machine_root == silent.machine_root
    assert other.s_image == unicorn.s_image


def reachable(store: PreimageStore, root: bytes, accounts: bool = True) -> Iterator[bytes]:
    """The key of every preimage of the world at root: the trie nodes referenced by hash (the root
    first), and with `accounts` every storage trie's and every code under the state trie's leaves."""
    if root == BLANK_ROOT_HASH:
        return
    yield root
    yield from _below(store, rlp.decode(store.preimage(root)), accounts)


def _below(store: PreimageStore, node: list, accounts: bool) -> Iterator[bytes]:
    """The keys under one decoded node (an embedded child is walked in place)."""
    if len(node) == 17:
        children, leaf = node[:16], None
    elif node[0][0] >> 5 & 1:   # a leaf: its path's flag nibble has bit 1 set
        children, leaf = [], node[1]
    else:
        children, leaf = [node[1]], None
    for child in children:
        if isinstance(child, list):
            yield from _below(store, child, accounts)
        elif len(child) == 32:
            yield from reachable(store, child, accounts)
    if leaf is not None and accounts:
        _nonce, _balance, storage_root, code_hash = rlp.decode(leaf)
        yield from reachable(store, storage_root, False)
        if code_hash != EMPTY_SHA3:
            yield code_hash


@pytest.mark.parametrize("path", CHAINS, ids=lambda path: path.stem)
def test_the_hints_hold_every_new_preimage_of_the_new_world(image: GuestImage, path: Path) -> None:
    """Block by block: the world at A's new root minus the store before the block is within the
    hints, and (for an accepted block) every hint is in that world."""
    for test in load_file(path):
        store = PreimageStore()
        state = initial_state_v2(test, store)
        exporter = ExporterV2(store)
        new_somewhere = False
        for _ in test.blocks:
            store.commit()
            before = set(store.keys_on_disk())
            hints = Hints()
            assert window(image, encode_v2(state), store, "unicorn", hints).status == "yielded"
            after, info, _witness = exporter.export(state)
            assert info is not None
            store.commit()
            hinted = {keccak(data) for data in hints.payloads}
            world = set(reachable(store, state_root_of_header(after.parent_header)))
            assert world - before <= hinted, test.name
            if after.parent_header != state.parent_header:
                assert hinted <= world, test.name
            new_somewhere |= bool(world - before)
            state = after
        assert new_somewhere, test.name



def test_riscv_run_keeps_the_hints_in_the_store(image: GuestImage, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`riscv run --preimages DIR --keep-hints` on block 0's S: the store then holds the whole world at
    the block's new state root (from the pre-state and the hints), which it lacked before."""
    from swapping.cli import main

    chain = CHAINS[0]
    s_file = tmp_path / "S.bin"
    assert main(["state", "from-fixture", str(chain), "-o", str(s_file)]) == 0
    new_root = rlp.decode(load_file(chain)[0].blocks[0])[0][3]
    elf = tmp_path / "guest.elf"
    elf.write_bytes(image.elf)
    argv = ["riscv", "run", str(elf), "--s-file", str(s_file), "--ram-size", str(image.ram_size),
            "--s-size", str(image.s_size), "--log2-window", str(WINDOW), "--backend", "unicorn",
            "--preimages", str(tmp_path)]
    assert PreimageStore(tmp_path / "preimages.sqlite").get(new_root) is None
    assert main(argv) == 0   # without --keep-hints the store is left as it was
    assert PreimageStore(tmp_path / "preimages.sqlite").get(new_root) is None
    capsys.readouterr()
    assert main([*argv, "--keep-hints", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["hints"] > 0
    store = PreimageStore(tmp_path / "preimages.sqlite")
    assert len(set(reachable(store, new_root))) > 1   # every node and code of the new world is there
