"""A chain of a fork the guest does not implement (Prague), and a fork transition S cannot hold.

replay, dispute and trace refuse such a chain before anything runs, in one line naming the fork (the
guest would leave S unchanged with exit code 3: every block a mismatch, a dispute the honest party
loses); conformance gives each such test one NOTRUN verdict with the reason and runs on. A transition
network (ShanghaiToCancunAtTime15k) is one NOTRUN per test on either machine on S version 1 (version 2
runs them: tests/swapping/test_conformance_v2_cli.py). Wherever a run reports
the guest's exit code, it is named (guest/include/evm.h). A Cancun chain, which the guest now runs,
is disputed like a Shanghai one: the honest party wins.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.codec import encode
from fastvm.describe import state_from_description_file
from fastvm.state import Fork
from swapping.ab_check import ab_transition_check
from swapping.cli import main
from swapping.guest_forks import EXIT_NAMES, GUEST_FORKS, exit_name, unsupported_fork
from swapping.guest_image import guest_image

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"
QUICK = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
SIMPLE = QUICK / "ValidBlocks" / "bcValidBlockTest" / "SimpleTx.json"
TRANSITION = (ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests"
              / "Pyspecs" / "cancun" / "eip4788_beacon_root" / "beacon_root_transition.json")


@pytest.fixture(scope="module")
def prague_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example chain, as a Prague chain."""
    path = tmp_path_factory.mktemp("prague") / "hello-prague.toml"
    path.write_text(EXAMPLE.read_text().replace('fork = "shanghai"', 'fork = "prague"'))
    return path


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The single stderr line of a refused command."""
    err = capsys.readouterr().err
    assert err.startswith("swapvm: error: ") and err.count("\n") == 1, err
    return err


def test_the_guest_runs_shanghai_and_cancun_only() -> None:
    assert GUEST_FORKS == (Fork.SHANGHAI, Fork.CANCUN)
    assert unsupported_fork(Fork.CANCUN) is None
    assert "Prague (fork 3" in unsupported_fork(Fork.PRAGUE)
    assert exit_name(3) == "3 (unsupported fork)" and EXIT_NAMES[0] == "applied"


@pytest.mark.parametrize("command", [
    ["replay", "TOML", "--store", "STORE", "--workers", "1"],
    ["dispute", "TOML", "--store", "STORE", "--workers", "1", "--lie", "block=0"],
    ["trace", "TOML", "--block", "0"],
])
def test_a_prague_chain_is_refused_up_front(command: list[str], prague_toml: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    names = {"TOML": str(prague_toml), "STORE": str(tmp_path / "store")}
    assert main([names.get(a, a) for a in command]) == 2
    assert "the guest does not implement Prague (fork 3" in one_line_error(capsys)
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*.json"))


def test_a_window_names_the_guest_exit_code(prague_toml: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["window", str(prague_toml), "--block", "0", "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["status"], report["exit_code"], report["exit"]) == ("yielded", 3, "unsupported fork")


def test_the_ab_check_names_an_unsupported_fork(prague_toml: Path) -> None:
    state = state_from_description_file(prague_toml)
    verdict = ab_transition_check(guest_image())(encode(state), b"")
    assert verdict == "the guest yielded 3 (unsupported fork) and left S unchanged"


def fixture_copy(folder: Path, name: str, network: str) -> Path:
    """SimpleTx's tests with their network replaced."""
    tests = json.loads(SIMPLE.read_text())
    for body in tests.values():
        body["network"] = network
    path = folder / name
    path.write_text(json.dumps(tests))
    return path


@pytest.mark.parametrize("machines", ["a,ab", "ab"])
def test_conformance_gives_each_prague_test_one_notrun(machines: str, tmp_path: Path) -> None:
    prague = fixture_copy(tmp_path, "prague.json", "Prague")
    report = tmp_path / "report.json"
    argv = ["conformance", "evm", str(prague), str(SIMPLE), "--machines", machines, "--jobs", "1",
            "--quiet", "--json", str(report)]
    assert main(argv) == 1
    results = json.loads(report.read_text())["tests"]
    notrun = [r for r in results if r["path"] == str(prague)]
    assert notrun and all(r["not_run"] and "does not implement Prague" in r["reason"] for r in notrun)
    assert all(r["ok"] for r in results if r["path"] == str(SIMPLE))   # the run went on


@pytest.mark.parametrize("machines", ["a", "a,ab"])
def test_a_transition_test_is_one_notrun_with_its_schedule(machines: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    argv = ["conformance", "evm", str(TRANSITION), str(SIMPLE), "--machines", machines, "--jobs", "1",
            "--s-version", "1", "--quiet", "--json", str(report)]
    assert main(argv) == 1
    results = json.loads(report.read_text())["tests"]
    transition = [r for r in results if r["path"] == str(TRANSITION)]
    assert len(transition) == len(json.loads(TRANSITION.read_text()))
    for result in transition:
        assert result["not_run"]
        assert "switches from Shanghai to Cancun at timestamp 15,000" in result["reason"]
    assert all(r["ok"] for r in results if r["path"] == str(SIMPLE))


def test_the_honest_party_wins_a_dispute_on_a_cancun_chain(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's other reproducer, now that the guest runs Cancun: a lie in block 1 loses."""
    cancun = tmp_path / "hello-cancun.toml"
    cancun.write_text(EXAMPLE.read_text().replace('fork = "shanghai"', 'fork = "cancun"'))
    argv = ["dispute", str(cancun), "--lie", "block=1", "--store", str(tmp_path / "store"), "--workers", "1",
            "--json", "-"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["honest_won"] and report["verdict"]["winner"] == "proposer"
