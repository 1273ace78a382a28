"""Every `swapvm` subcommand follows one convention: bad values are one line on stderr and exit 2.

The walk covers every leaf subcommand of the real parser, so a new command without bad-input cases
fails here. Outputs under a regular file (`FILE/x`) are unwritable even for root, who ignores
permission bits, so these cases are meaningful whoever runs the suite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from emulator import cliargs
from emulator.errors import SwapvmError
from swapping.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent

# Placeholders: FILE an existing regular file, UNDER a path below it, DIR an existing folder, MISSING none.
BAD_VALUES: dict[str, list[list[str]]] = {
    "riscv run": [
        ["MISSING"], ["FILE", "--max-steps", "0"], ["FILE", "--every", "-1"], ["FILE", "--pair", "fast"],
        ["FILE", "--pair", "fast,nope"], ["FILE", "--log2-window", "64"],
        ["FILE", "--save-snapshot", "UNDER"],
        ["FILE", "--save-snapshot", "FILE"], ["FILE", "--json", "UNDER"], ["FILE", "--json"],
        ["FILE", "--from-snapshot", "MISSING"], ["FILE", "--ram-size", "-1"], ["FILE"],
        ["FILE", "--stop-at", "-1"], ["FILE", "--info-at", "5"], ["FILE", "--snapshot-at", "%0"],
        ["FILE", "--proof-at", "=x"], ["FILE", "--proof-at", "=1", "--out-dir", "UNDER"],
    ],
    "riscv gdb": [
        ["MISSING", "--port", "1"], ["FILE", "--port", "x"], ["FILE", "--port", "70000"], ["FILE"],
        ["FILE", "--port", "1", "--backend", "lockstep"],
    ],
    "riscv prove": [
        ["FILE", "--step", "-1", "--out", "DIR/p.json"], ["FILE", "--step", "1", "--out", "DIR"],
        ["FILE", "--step", "1", "--out", "UNDER"], ["FILE", "--step", "x", "--out", "DIR/p"], ["FILE"],
    ],
    "riscv verify": [
        ["MISSING"], ["FILE"], ["FILE", "--qstar", "00"], ["FILE", "--qstar", "zz" * 32],
        ["FILE", "--qstar", "00" * 32], ["FILE", "--qstar", "00" * 32, "--image", "FILE"],
        ["FILE", "--json", "DIR"], ["FILE", "--image", "MISSING"],
    ],
    "build-guest": [["--out", "UNDER"], ["--out", "FILE"]],
    "state from-fixture": [
        ["MISSING", "-o", "DIR/s"], ["FILE", "-o", "DIR"], ["FILE", "-o", "UNDER"], ["FILE"],
        ["FILE", "-o", "DIR/s"],
    ],
    "state from-description": [["MISSING", "-o", "DIR/s"], ["FILE", "-o", "UNDER"], ["FILE", "-o", "DIR/s"]],
    "state from-workload": [
        ["nosuch", "-o", "DIR/s"], ["transfers", "--accounts", "0", "-o", "DIR/s"],
        ["transfers", "-o", "UNDER"],
        ["transfers", "--accounts", "15", "-o", "DIR/s"], ["erc20", "--txs", "x", "-o", "DIR/s"],
        ["erc20", "--store", "UNDER", "-o", "DIR/s"],
    ],
    "state from-genesis": [
        ["MISSING", "-o", "DIR/s"], ["FILE", "-o", "DIR/s"], ["FILE", "--blocks", "MISSING", "-o", "DIR/s"],
        ["FILE", "--from", "-1", "-o", "DIR/s"], ["FILE", "--to", "x", "-o", "DIR/s"],
        ["FILE", "-o", "UNDER"], ["FILE", "--from", "3", "--to", "2", "-o", "DIR/s"],
    ],
    "state append": [
        ["FILE", "MISSING", "-o", "DIR/s"], ["FILE", "FILE", "-o", "DIR/s"], ["FILE", "FILE", "-o", "DIR"],
        ["FILE", "FILE", "--from", "-2", "-o", "DIR/s"], ["FILE", "FILE"],
    ],
    "state show": [["MISSING"], ["FILE", "--json", "UNDER"], ["DIR"], ["FILE"], ["FILE", "--accounts"]],
    "state diff": [
        ["MISSING", "MISSING"], ["FILE", "FILE"], ["DIR", "FILE"], ["FILE", "FILE", "--json", "UNDER"],
    ],
    "fast run": [
        ["FILE", "--out", "FILE"], ["FILE", "--out", "UNDER"], ["FILE", "--blocks", "0"],
        ["FILE", "--s-size", "8"], ["FILE", "--json", "DIR"], ["FILE"],
    ],
    "fast witness": [
        ["MISSING", "-o", "DIR/p.json"], ["FILE", "-o", "DIR/p.json"], ["FILE"], ["FILE", "-o", "UNDER"],
        ["FILE", "--block", "-1", "-o", "DIR/p.json"], ["FILE", "-o", "DIR/p.json", "--store", "FILE"],
        ["FILE", "-o", "DIR/p.json", "--json", "UNDER"],
    ],
    "fast witness-run": [["MISSING", "FILE"], ["FILE", "FILE"], ["FILE", "MISSING"], ["FILE"],
                         ["FILE", "FILE", "--json", "UNDER"]],
    "fast witness-import": [["MISSING", "--store", "DIR"], ["FILE", "--store", "DIR"], ["FILE"],
                            ["FILE", "--store", "UNDER"]],
    "conformance evm": [
        ["DIR", "--jobs", "0"], ["DIR", "--jobs", "-3"], ["DIR", "--jobs", "500"],
        ["DIR", "--scheduler", "notaurl"],
        ["DIR", "--scheduler", "tcp://h:notaport"], ["DIR", "--scheduler", "tcp://h:99999"],
        ["DIR", "--json", "UNDER"], ["DIR", "--log2-window", "0"], ["MISSING"],
        ["DIR", "--machines", "b"], ["DIR", "--timeout", "0"], ["DIR", "--timeout", "soon"],
        ["DIR", "--s-version", "3"],
    ],
    "replay": [
        ["MISSING"], ["FILE", "--workers", "0"], ["FILE", "--scheduler", "notaurl"],
        ["FILE", "--scheduler", "tcp://h:notaport"], ["FILE", "--plot", "r.txt"],
        ["FILE", "--plot", "UNDER.png"],
        ["FILE", "--store", "UNDER"], ["FILE", "--store", "FILE"], ["FILE", "--json", "DIR"],
        ["FILE", "--workers", "2", "--scheduler", "tcp://h:1"], ["FILE", "--log2-window", "64"], ["FILE"],
        ["FILE", "--blocks", "MISSING"], ["FILE", "--blocks", "FILE"], ["FILE", "--from", "1"],
        ["FILE", "--blocks", "FILE", "--from", "-1"],
    ],
    "dispute": [
        ["FILE", "--lie", "bogus"], ["FILE", "--lie", "block=-1"],
        ["FILE", "--lie", "block=1", "--workers", "0"],
        ["FILE", "--lie", "block=1", "--store", "UNDER"], ["FILE", "--lie", "block=1", "--json", "DIR"],
        ["MISSING", "--lie", "block=1"], ["FILE"],
    ],
    "dispute-audit": [["MISSING"], ["FILE"]],
    "window": [
        ["MISSING", "--block", "0"], ["FILE", "--block", "-1"], ["FILE"], ["FILE", "--block", "0"],
        ["FILE", "--block", "0", "--info-at", "7"], ["FILE", "--block", "0", "--log2-window", "64"],
    ],
    "trace": [
        ["MISSING", "--block", "0"], ["FILE", "--block", "0"], ["FILE"], ["FILE", "--block", "-1"],
        ["FILE", "--block", "0", "--tx", "x"], ["FILE", "--block", "0", "--json", "DIR"],
        ["FILE", "--block", "0", "--states", "FILE"], ["FILE", "--block", "0", "--image", "guest"],
    ],
    "bench machine": [["--rounds", "0"], ["--json", "UNDER"], ["--repeat", "-1"]],
    "bench fast": [["--accounts", "0"], ["--json", "DIR"], ["--blocks", "x"]],
    "bench guest": [["--fixtures", ""], ["--image", "MISSING"], ["--blocks", "-1"], ["--workloads", ","]],
    "bench heap": [["--gas", "0"], ["--only", "nosuch:1"], ["--json", "UNDER"], ["--gas", "x"]],
    "bench witness": [["--accounts", "0"], ["--json", "UNDER"], ["--workloads", ","],
                      ["--fixtures", "MISSING"], ["--workloads", "nosuch"]],
    "bench replay": [["--blocks", "0"], ["--json", "UNDER"], ["--repeat", "0"]],
    "bench mpt": [
        ["--keys", "x"], ["--keys", "1"], ["--batch", "0"], ["--keys", "10", "--batch", "11"],
        ["--json", "UNDER"],
    ],
    "bench live": [["MISSING"], ["MISSING", "--top", "-1"], ["MISSING", "--max-gas", "0"],
                   ["MISSING", "--json", "UNDER"], ["MISSING", "--s-version", "3"]],
    "bench dispute": [["--source", "MISSING"], ["--store", "UNDER"], ["--sample", "-1"], ["--block", "x"]],
    "bench scale": [["--accounts", "x"], ["--accounts", "5"], ["--txs", "0"], ["--json", "UNDER"],
                    ["--workloads", "nosuch", "--accounts", "100"]],
    "bench trie-heap": [["--accounts", "0"], ["--reads", "x"], ["--code-bytes", "-1"], ["--json", "UNDER"]],
}


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> dict[str, argparse.ArgumentParser]:
    """Every runnable subcommand ("riscv run", "replay", …) with its parser."""
    leaves: dict[str, argparse.ArgumentParser] = {}
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        return {" ".join(prefix): parser}
    for name, child in subparsers[0].choices.items():
        leaves.update(leaf_commands(child, (*prefix, name)))
    return leaves


@pytest.fixture
def placeholders(tmp_path: Path) -> dict[str, str]:
    """Real paths for the placeholders of BAD_VALUES (FILE holds text that is no valid input anywhere)."""
    file = tmp_path / "not-an-input"
    file.write_text("not a fixture, state, proof or image\n")
    return {"FILE": str(file), "UNDER": str(file / "x"), "UNDER.png": str(file / "x.png"),
            "DIR": str(tmp_path), "DIR/p.json": str(tmp_path / "p.json"), "DIR/p": str(tmp_path / "p"),
            "DIR/s": str(tmp_path / "s.bin"), "MISSING": str(tmp_path / "missing")}


def test_the_walk_covers_every_subcommand() -> None:
    assert set(leaf_commands(build_parser())) == set(BAD_VALUES)


@pytest.mark.parametrize(
    ("command", "tail"), [(command, tail) for command, tails in BAD_VALUES.items() for tail in tails],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_bad_values_are_one_line_and_exit_2(
    command: str, tail: list[str], placeholders: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*command.split(), *(placeholders.get(word, word) for word in tail)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("swapvm: error: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err + captured.out


def test_every_json_option_takes_a_file_or_dash() -> None:
    for command, parser in leaf_commands(build_parser()).items():
        for action in parser._actions:
            if "--json" in action.option_strings:
                assert action.nargs is None and action.type is cliargs.json_target, command


def test_version_prints_the_package_version() -> None:
    out = subprocess.run([sys.executable, "-m", "swapping.cli", "--version"], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert out.returncode == 0 and out.stdout.startswith("swapvm ") and out.stdout.split()[1][0].isdigit()


def test_the_issue_inputs_end_without_a_traceback_in_a_real_process(tmp_path: Path) -> None:
    """The console entry point, not only main(): one line, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for argv in (["replay", str(blocker), "--scheduler", "notaurl"], ["bench", "guest", "--fixtures", ""],
                 ["replay", str(blocker), "--store", str(blocker / "store")]):
        out = subprocess.run([sys.executable, "-m", "swapping.cli", *argv], capture_output=True, text=True,
                             cwd=ROOT, check=False)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, argv


def test_an_unwritable_folder_is_found_by_a_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root ignores permission bits, so writability is probed by creating a file; a failed probe refuses."""
    def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    assert cliargs.check_output_file(str(tmp_path / "ok.json")) == tmp_path / "ok.json"
    monkeypatch.setattr(cliargs.tempfile, "mkstemp", refuse)
    with pytest.raises(SwapvmError, match="Permission denied"):
        cliargs.check_output_file(str(tmp_path / "report.json"))
    with pytest.raises(SwapvmError, match="Permission denied"):
        cliargs.check_output_dir(str(tmp_path / "store"))


def test_a_read_only_store_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    store.mkdir()
    store.chmod(0o555)
    real = cliargs._probe_writable
    # root writes into a 555 folder; emulate an ordinary user's refusal for exactly this folder
    monkeypatch.setattr(cliargs, "_probe_writable",
                        lambda folder: "Permission denied" if folder == store else real(folder))
    example = ROOT / "fastvm" / "examples" / "hello.toml"
    assert main(["replay", str(example), "--store", str(store)]) == 2
    assert "cannot write into" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["tcp://127.0.0.1:8786", "tls://scheduler.example:1", "tcp://[::1]:8786"])
def test_good_scheduler_addresses_pass(text: str) -> None:
    assert cliargs.scheduler_address(text) == text


def test_a_missed_goal_exits_1_only_under_check(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.output import goal_verdict

    assert goal_verdict(["verify_ms <= 2.0"], argparse.Namespace(check=False)) == 0
    assert goal_verdict(["verify_ms <= 2.0"], argparse.Namespace(check=True)) == 1
    assert goal_verdict([], argparse.Namespace(check=True)) == 0
    assert capsys.readouterr().err.count("goal not met: verify_ms <= 2.0") == 2


def test_conformance_json_dash_is_stdout_not_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import json

    fixture = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "InvalidBlocks" \
        / "bcEIP1559" / "badBlocks.json"
    monkeypatch.chdir(tmp_path)
    assert main(["conformance", "evm", str(fixture), "--machines", "a", "--jobs", "1", "--json", "-"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)   # stdout holds the JSON alone; the per-test lines went to stderr
    assert report["complete"] and report["passed"] == report["total"] >= 1
    assert "PASS" in captured.err and not (tmp_path / "-").exists()
