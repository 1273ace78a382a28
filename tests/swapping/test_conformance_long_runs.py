"""Long conformance runs: a test that cannot run is one verdict, --timeout stops one test, and a run
without a terminal shows a progress line (done, total, rate, ETA)."""

from __future__ import annotations

import io
import json
import time
from functools import partial
from pathlib import Path

import pytest

from swapping import conformance
from swapping.cli import main
from swapping.progress import ProgressLine, format_duration

ROOT = Path(__file__).resolve().parents[2]
BAD_BLOCKS = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests" / "InvalidBlocks" \
    / "bcEIP1559" / "badBlocks.json"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A folder of three files: a good one, one whose second test is on an unsupported network, not-JSON."""
    body = next(iter(json.loads(BAD_BLOCKS.read_text()).values()))
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps({"good": body}))
    (folder / "mixed.json").write_text(json.dumps({"runs": body, "berlin": {**body, "network": "Berlin"},
                                                   "slow": body}))
    (folder / "broken.json").write_text("{ not json")
    return folder


def run(argv: list[str], tmp_path: Path) -> tuple[int, dict]:
    """Exit code and the JSON report of one conformance run."""
    report = tmp_path / "report.json"
    # S version 1: the timeout test slows fastvm.conformance.run_test, version 1's runner
    code = main(["conformance", "evm", *argv, "--machines", "a", "--jobs", "1", "--s-version", "1", "--json",
                 str(report)])
    return code, json.loads(report.read_text())


def by_name(report: dict) -> dict[str, dict]:
    """The report's verdicts by test name."""
    return {test["name"]: test for test in report["tests"]}


def test_a_test_that_cannot_run_is_one_verdict_and_the_run_goes_on(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run([str(suite)], tmp_path)
    assert code == 1 and report["complete"]
    tests = by_name(report)
    assert set(tests) == {"good", "runs", "berlin", "slow", "broken.json"}
    assert tests["good"]["ok"] and tests["runs"]["ok"] and tests["slow"]["ok"]
    unsupported = "network 'Berlin' is not supported (Shanghai, Cancun or Prague)"
    assert tests["berlin"]["reason"] == f"cannot run: {unsupported}"
    unreadable = tests["broken.json"]["reason"]
    assert unreadable.startswith("cannot run: fixture:") and "is not JSON" in unreadable
    assert (report["passed"], report["failed"], report["not_run"]) == (3, 2, 2)
    assert "NOTRUN berlin: cannot run: network 'Berlin'" in capsys.readouterr().out


def test_timeout_stops_one_test_and_the_others_pass(
    suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastvm.conformance

    real = fastvm.conformance.run_test

    def slow_one(test: object, *args: object, **kwargs: object) -> object:
        """The test named "slow" takes a minute; every other runs as usual."""
        if test.name == "slow":  # type: ignore[attr-defined]
            time.sleep(60)
        return real(test, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fastvm.conformance, "run_test", slow_one)
    start = time.monotonic()
    code, report = run([str(suite / "mixed.json"), "--timeout", "1.5"], tmp_path)
    assert time.monotonic() - start < 30
    tests = by_name(report)
    assert code == 1 and tests["slow"]["reason"] == "timeout: did not finish within 1.5 s"
    assert tests["runs"]["ok"] and not tests["slow"]["not_run"]


def test_a_quiet_run_prints_progress_lines(
    suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(conformance, "ProgressLine", partial(ProgressLine, interval=0.0))
    run([str(suite), "--quiet"], tmp_path)
    err = capsys.readouterr().err.splitlines()
    assert [line.split(",")[0] for line in err] == [f"conformance: {n}/3 files" for n in (1, 2, 3)]
    assert all("files/s, ETA " in line for line in err)


def test_a_progress_line_at_most_every_interval() -> None:
    now = [0.0]
    sink = io.StringIO()
    progress = ProgressLine("replay AB", "windows", sink, 10.0, lambda: now[0])
    for second in range(1, 26):
        now[0] = float(second)
        progress(second, 100)
    assert sink.getvalue().splitlines() == ["replay AB: 10/100 windows, 1.00 windows/s, ETA 90 s",
                     "replay AB: 20/100 windows, 1.00 windows/s, ETA 80 s"]
    assert (format_duration(None), format_duration(600), format_duration(36000)) == ("?", "10 min", "10.0 h")


def test_a_quiet_replay_prints_progress_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import swapping.progress

    monkeypatch.setattr(swapping.progress, "ProgressLine", partial(ProgressLine, interval=0.0))
    example = ROOT / "fastvm" / "examples" / "hello.toml"
    store = str(tmp_path / "store")
    assert main(["replay", str(example), "--store", store, "--workers", "1", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "replay A: 3/3 blocks" in err and "replay AB: 3/3 windows" in err
