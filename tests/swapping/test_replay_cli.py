"""`swapvm replay` from the command line: exit codes, JSON, the plot, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"


def test_replay_of_the_bundled_example_writes_json_and_a_plot(tmp_path: Path) -> None:
    report, plot = tmp_path / "report.json", tmp_path / "plot.png"
    argv = ["replay", str(EXAMPLE), "--store", str(tmp_path / "store"), "--workers", "1", "--quiet",
            "--json", str(report), "--plot", str(plot)]
    assert main(argv) == 0
    data = json.loads(report.read_text())
    assert data["ok"] and data["mismatches"] == 0
    assert [row["verdict"] for row in data["blocks"]] == ["match"] * 3
    assert all(0 < row["ab_steps"] < 2 ** data["log2_window"] for row in data["blocks"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_replay_exits_1_when_a_block_overruns_its_window(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = ["replay", str(EXAMPLE), "--store", str(tmp_path / "store"), "--workers", "1",
            "--log2-window", "12", "--json", str(tmp_path / "r.json")]
    assert main(argv) == 1
    assert {row["verdict"] for row in json.loads((tmp_path / "r.json").read_text())["blocks"]} == {"overrun"}
    out = capsys.readouterr().out
    assert "block 0 (number 1): the guest did not yield within 2^12 steps" in out  # the why, below the table


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "/nonexistent/chain.json"], "does not exist"),
        (["replay", str(EXAMPLE), "--log2-window", "64"], "outside 1..63"),
        (["replay", str(ROOT / "pyproject.toml")], "unknown field"),
        (["replay", "GARBAGE"], "S: "),
        (["replay", str(EXAMPLE), "--workers", "0", "--store", "STORE"], "outside 1..256"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "garbage.bin").write_bytes(b"\x01" * 40)
    names = {"STORE": str(tmp_path / "store"), "GARBAGE": str(tmp_path / "garbage.bin")}
    argv = [names.get(a, a) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("swapvm: error: ") and message in err and err.count("\n") == 1


def test_the_table_shows_the_window_index_and_the_header_number(capsys: pytest.CaptureFixture[str]) -> None:
    from swapping.replay import BlockRow, ReplayReport
    from swapping.report import print_table

    report = ReplayReport(log2_window=20, log2_blocks={"c": 1}, image_sha256="00", workers=1, scheduler="",
                          s_size=1 << 20)
    roots = ("ab" * 32, "cd" * 32)
    report.blocks = [BlockRow("c", 0, 7, 21_000, "accepted", 0.1, *roots, verdict="match"),
                     BlockRow("c", 1, None, 0, "rejected (header-invalid)", 0.1, *roots, verdict="mismatch",
                              detail="nonce differs; AB's S root 0x" + "ef" * 32)]
    print_table(report)
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if "chain" in line)
    assert header.index("block") < header.index("number") < header.index("gas")
    first = next(line for line in out.splitlines() if "21,000" in line)
    assert [cell.strip() for cell in first.split("│")[2:4]] == ["0", "7"]   # block (window index), number
    assert "mismatch c block 1: nonce differs; AB's S root 0x" + "ef" * 32 in out   # piped, yet one line


def test_a_cancun_chain_replays_block_for_block(tmp_path: Path) -> None:
    """The issue's reproducer: the example chain as a Cancun chain matches on AB at every block."""
    cancun = tmp_path / "hello-cancun.toml"
    cancun.write_text(EXAMPLE.read_text().replace('fork = "shanghai"', 'fork = "cancun"'))
    report = tmp_path / "report.json"
    argv = ["replay", str(cancun), "--store", str(tmp_path / "store"), "--workers", "1", "--quiet",
            "--json", str(report)]
    assert main(argv) == 0
    assert [row["verdict"] for row in json.loads(report.read_text())["blocks"]] == ["match"] * 3
