"""Chain games on the bundled example at its measured window: level-1 and level-2 lies at the first, a
middle and the last position lose; the game takes exactly b + a rounds (b level-1, then a level-2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from swapping.dispute.audit import audit
from swapping.dispute.chain_source import ReplayedChain, replayed_chain
from swapping.dispute.game import GameResult, chain_game
from swapping.dispute.lies import LieSpec

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "fastvm" / "examples" / "hello.toml"    # 3 blocks: b = 2, the 4th window is past the inbox


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store shared by the module's games and the CLI test."""
    return tmp_path_factory.mktemp("dispute-store")


@pytest.fixture(scope="module")
def chain(store: Path) -> ReplayedChain:
    """hello.toml replayed at its measured window."""
    replayed = replayed_chain(str(HELLO), store)
    assert replayed.report.ok and replayed.blocks == 3
    return replayed


def play(chain: ReplayedChain, spec: LieSpec, liar: str = "challenger") -> GameResult:
    """One game; checks what every complete game must satisfy."""
    result = chain_game(chain.template, chain.s_images, spec, liar)
    assert result.honest_won, result.verdict
    assert result.verdict.losers == (liar,)
    return result


def check_rounds(result: GameResult, chain: ReplayedChain) -> None:
    """b + a rounds: the first b at block boundaries (level 1), the next a inside the window (level 2)."""
    a, b = chain.template.params.log2_window, 2
    assert result.rounds == a + b
    assert [r.level for r in result.transcript.rounds] == [1] * b + [2] * a


@pytest.mark.parametrize(("block", "liar"), [(0, "challenger"), (1, "proposer"), (3, "challenger")])
def test_level_one_lies_about_an_s_root_lose(chain: ReplayedChain, block: int, liar: str) -> None:
    """A wrong S root for block K ends on the clean of window K (the step whose post-root is S_K+1's)."""
    result = play(chain, LieSpec("s-root", block), liar)
    check_rounds(result, chain)
    a = chain.template.params.log2_window
    assert result.verdict.position == (block + 1 << a) - 1
    final = result.transcript.final
    assert final is not None and final["step"]["cleans"] is True


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_level_two_lies_inside_a_window_lose(chain: ReplayedChain, where: str) -> None:
    """A wrong step at the first, a middle and the last step of window 1 is found exactly."""
    a = chain.template.params.log2_window
    step = {"first": 0, "middle": 1 << (a - 1), "last": (1 << a) - 1}[where]
    result = play(chain, LieSpec("step", 1, step))
    check_rounds(result, chain)
    assert result.verdict.position == (1 << a) + step
    # checkpoints: halt run + planning the lie + bisection; never a window per round (~a/2 windows)
    assert result.transcript.ab_steps <= 3 << a
    assert result.transcript.final is not None
    assert result.transcript.final["proofs"]["proposer"]["outcome"] == "valid"


def test_windows_past_the_inbox_are_no_ops_on_ab(chain: ReplayedChain) -> None:
    """The padded window (block 3 of 3) leaves S_3 unchanged on AB too: honest claims agree there."""
    from swapping.dispute.game import pad_chain
    from swapping.dispute.trace import ChainTrace

    knowledge = ChainTrace(chain.template, pad_chain(chain.s_images))
    a = chain.template.params.log2_window
    assert knowledge.window(3).state(1 << a).node(25, 1) == knowledge.s_root(3) == knowledge.s_root(4)


@pytest.mark.parametrize(("kind", "block"), [("idle", 2), ("fault-claim", 0), ("clean", 1)])
def test_idle_fault_and_clean_lies_lose(chain: ReplayedChain, kind: str, block: int) -> None:
    """An extra idle tick, a claimed fault and a clean that wipes S: each loses on its own step."""
    result = play(chain, LieSpec(kind, block), "proposer")
    check_rounds(result, chain)
    final = result.transcript.final
    assert final is not None
    step = final["step"]
    assert step["block"] == block
    assert step["status"] == ("yielded" if kind in ("idle", "clean") else "running")
    assert step["cleans"] is (kind == "clean")


@pytest.mark.parametrize("round_number", [0, 5, 27])
def test_equivocation_is_caught_at_both_levels_and_the_proof(chain: ReplayedChain, round_number: int) -> None:
    """Changing a restated claim in a level-1 round, a level-2 round, or proving a root it never claimed."""
    a = chain.template.params.log2_window
    spec = LieSpec("equivocate", 1, 12345, round=min(round_number, a + 2))
    result = play(chain, spec)
    if spec.round == a + 2:
        assert result.rounds == a + 2 and "not the claim" in result.verdict.reason
    else:
        assert "Equivocation" in result.verdict.reason and result.rounds == round_number + 1


def test_the_cli_prints_the_game_as_json(chain: ReplayedChain, store: Path) -> None:
    """`swapvm dispute --json`: transcript, disputed instruction, honest verdict; a bad lie exits 2."""
    command = [sys.executable, "-m", "swapping.cli", "dispute", str(HELLO), "--store", str(store)]
    out = subprocess.run([*command, "--lie", "block=2,step=777", "--json", "-"], capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["honest_won"] and len(data["rounds"]) == chain.template.params.log2_window + 2
    assert data["final"]["step"]["step"] == 777 and data["final"]["step"]["instruction"]
    from emulator.symbols import Symbols

    function = Symbols.from_elf(chain.elf).function_at(data["final"]["step"]["pc"])
    assert function and data["final"]["step"]["function"] == function   # the guest function, named
    assert audit(data).winner == data["verdict"]["winner"] == "proposer"     # the referee alone agrees
    bad = subprocess.run([*command, "--lie", "block=9"], capture_output=True, text=True, cwd=ROOT,
                         check=False)
    assert bad.returncode == 2 and "block 9 outside" in bad.stderr


@pytest.mark.parametrize(("blocks", "b"), [(1, 0), (2, 1)])
def test_shorter_chains_take_b_plus_a_rounds(chain: ReplayedChain, blocks: int, b: int) -> None:
    """One block: b = 0, a level-2 rounds only; two blocks: b = 1."""
    a = chain.template.params.log2_window
    result = chain_game(chain.template, chain.s_images[: blocks + 1], LieSpec("s-root", blocks - 1))
    assert result.honest_won and result.rounds == a + b
    assert [r.level for r in result.transcript.rounds] == [1] * b + [2] * a


def test_a_lie_by_header_number_and_the_tables_show_both_numberings(
    chain: ReplayedChain, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """hello's blocks have header numbers 1, 2, 3 at window indices 0, 1, 2: number=2 is window 1."""
    from swapping.cli import main

    assert chain.numbers == [1, 2, 3]
    report = tmp_path / "game.json"
    argv = ["dispute", str(HELLO), "--store", str(store), "--lie", "number=2,step=777", "--json", str(report)]
    assert main(argv) == 0
    data = json.loads(report.read_text())
    assert data["chain"]["lie"] == "block=1,step=777,kind=step" and data["final"]["step"]["block"] == 1
    out = capsys.readouterr().out
    assert "disputed step: block 1 (number 2) step 777" in out
    header = next(line for line in out.splitlines() if "round" in line and "level" in line)
    assert header.index("block") < header.index("number") < header.index("step")
