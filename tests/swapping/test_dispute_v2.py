"""Disputes on S version 2: each window runs with its block's witness as the oracle; the honest party wins.

The chain is the bundled example replayed on version 2. The windows' oracles are exactly the witnesses
the replay recorded (never the store); a lie in the window past the inbox (A's no-op) loses under the
Python referee and the contract; and, once the guest runs version 2, a lie at the first preimage read
of a block loses too, the honest proof carrying that preimage and verifying on chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.isa.system import ECALL_WORD
from emulator.layout import ECALL_PREIMAGE, SHADOW_PC, SHADOW_X
from emulator.machine import make_machine
from emulator.merkle import keccak
from emulator.symbols import Symbols
from fastvm.sroot import RootCache
from swapping.dispute.chain_source import ReplayedChain, replayed_chain
from swapping.dispute.cli import onchain_verifier
from swapping.dispute.game import chain_game
from swapping.dispute.lies import LieSpec
from swapping.dispute.trace import ChainTrace
from swapping.store import Store
from swapping.sv2 import split_keys

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"
WINDOW = 22
SCAN = 400_000   # the guest reads block t's inbox leaf long before this step


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplayedChain, Path]:
    """The example replayed on version 2 (one store for the module), and its store folder."""
    folder = tmp_path_factory.mktemp("store")
    return replayed_chain(str(EXAMPLE), folder, log2_window=WINDOW, workers=1, s_version=2), folder


def test_each_window_gets_its_blocks_witness(chain: tuple[ReplayedChain, Path]) -> None:
    """oracle t holds exactly the preimages of the witness replay recorded for block t; the windows
    past the inbox get none."""
    replayed, folder = chain
    store = Store(folder, RootCache().root)
    assert replayed.oracles is not None and len(replayed.oracles) == replayed.blocks == 3
    for row, oracle in zip(replayed.report.blocks, replayed.oracles, strict=True):
        assert set(oracle.preimages) == set(split_keys(store.get_witness(row.witness)))  # type: ignore[union-attr]
    trace = ChainTrace(replayed.template, replayed.s_images + [replayed.s_images[-1]], "unicorn",
                       None, replayed.oracles)
    assert [trace.window(t).oracle for t in range(3)] == replayed.oracles
    assert trace.window(3).oracle is None


@pytest.mark.parametrize("liar", ["challenger", "proposer"])
def test_a_lie_past_the_inbox_loses_on_version_2(chain: tuple[ReplayedChain, Path], liar: str) -> None:
    """A false S root claimed for the no-op window past the inbox: the honest party wins, the contract
    agreeing with the Python referee."""
    replayed, _ = chain
    gas: list[int] = []
    result = chain_game(replayed.template, replayed.s_images, LieSpec("s-root", 3), liar,
                        verifier=onchain_verifier(gas), window_oracles=replayed.oracles)
    assert result.honest_won, result.verdict
    assert gas and max(gas) <= 300_000


def first_oracle_step(replayed: ReplayedChain, block: int) -> int | None:
    """The first step of window `block` that is a preimage read (ECALL 1001), within SCAN steps."""
    assert replayed.oracles is not None
    template = replayed.template
    machine = make_machine("fast", template, template.initial_state(replayed.s_images[block]),
                           oracle=replayed.oracles[block])
    for step in range(SCAN):
        state = machine.state()
        pc = state.read_u64(SHADOW_PC)
        word = state.read_u64(pc) & 0xFFFF_FFFF if pc else 0
        if word == ECALL_WORD and state.read_u64(SHADOW_X + 8 * 17) == ECALL_PREIMAGE:
            return step
        if machine.run_until_halt(1) == 0:
            return None
    return None


def test_a_lie_at_a_preimage_read_loses_and_the_proof_carries_the_preimage(
    chain: tuple[ReplayedChain, Path],
) -> None:
    """A lie at block 1's first oracle step: the honest proof carries the preimage read (one of the
    block's witness), verifies in Python and on chain, and the honest party wins."""
    replayed, _ = chain
    if not any(name.startswith("s2_decode") for _, _, name in Symbols.from_elf(replayed.elf).entries):
        pytest.skip("the locked guest does not decode S version 2 yet (no s2_decode; wt-guest2 lands it)")
    step = first_oracle_step(replayed, 1)
    assert step is not None
    gas: list[int] = []
    result = chain_game(replayed.template, replayed.s_images, LieSpec("step", 1, step), "challenger",
                        verifier=onchain_verifier(gas), window_oracles=replayed.oracles)
    assert result.honest_won, result.verdict
    proof = result.proofs["proposer"]
    assert proof is not None and proof.preimages
    assert all(keccak(data) == key for key, data in proof.preimages)
    assert gas and max(gas) <= 300_000
