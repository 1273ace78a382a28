"""The command line of machine A: state files, `fast run`, `conformance evm`, and one-line errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastvm.codec import decode, image_root
from fastvm.fixtures import load_file
from swapping.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
BAD_BLOCKS = FIXTURES / "InvalidBlocks" / "bcEIP1559" / "badBlocks.json"
COLLISION = FIXTURES / "GeneralStateTests" / "stSStoreTest" / "InitCollisionParis.json"
SIDE_CHAIN = FIXTURES / "InvalidBlocks" / "bcMultiChainTest" / "UncleFromSideChain.json"
EXAMPLE = ROOT / "fastvm" / "examples" / "hello.toml"


def test_from_fixture_show_and_run_write_snapshots_named_by_root(tmp_path: Path, capsys) -> None:
    s0 = tmp_path / "s0.bin"
    assert main(["state", "from-fixture", str(BAD_BLOCKS), "--s-version", "1", "-o", str(s0)]) == 0
    assert decode(s0.read_bytes()).inbox == load_file(BAD_BLOCKS)[0].blocks
    assert main(["state", "show", str(s0), "--json", "-"]) == 0
    shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert shown["s_root"] == "0x" + image_root(s0.read_bytes()).hex()
    out = tmp_path / "snapshots"
    assert main(["fast", "run", str(s0), "--out", str(out), "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = load_file(BAD_BLOCKS)[0].expect_valid
    assert [row["status"] == "accepted" for row in report["blocks"]] == list(expected)
    for row in report["blocks"]:
        snapshot = out / f"{row['s_root'][2:]}.bin"
        assert image_root(snapshot.read_bytes()).hex() == row["s_root"][2:]
    assert json.loads((out / "blocks.json").read_text())["final_s_root"] == report["final_s_root"]


def test_run_stops_after_the_requested_blocks(tmp_path: Path, capsys) -> None:
    s0 = tmp_path / "s0.bin"
    main(["state", "from-fixture", str(BAD_BLOCKS), "--s-version", "1", "-o", str(s0)])
    assert main(["fast", "run", str(s0), "--blocks", "2", "--json", "-"]) == 0
    assert len(json.loads(capsys.readouterr().out.split("\n", 1)[1])["blocks"]) == 2


def test_the_example_description_builds_a_chain_that_a_accepts(tmp_path: Path, capsys) -> None:
    s0 = tmp_path / "hello.bin"
    assert main(["state", "from-description", str(EXAMPLE), "--s-version", "1", "-o", str(s0)]) == 0
    assert main(["fast", "run", str(s0), "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [row["status"] for row in report["blocks"]] == ["accepted"] * len(decode(s0.read_bytes()).inbox)


def test_conformance_reports_expected_failures_visibly(tmp_path: Path, capsys) -> None:
    report_path = tmp_path / "report.json"
    assert (
        main(
            [
                "conformance",
                "evm",
                str(SIDE_CHAIN),
                "--machines",
                "a",
                "--jobs",
                "1",
                "--json",
                str(report_path),
            ]
        )
        == 0
    )
    report = json.loads(report_path.read_text())
    assert (report["passed"], report["failed"], report["expected_failures"]) == (0, 0, len(report["tests"]))
    assert all(t["reason"].startswith("expected failure: ") for t in report["tests"])
    assert all("side chain" in t["reason"] for t in report["tests"])
    assert "XFAIL" in capsys.readouterr().out
    assert report["complete"] is True


def test_conformance_report_survives_an_interrupted_run(tmp_path: Path, monkeypatch) -> None:
    """A run cut short leaves a JSON report of the tests it finished, marked incomplete."""
    from swapping import conformance

    def two_then_interrupt(*_args: object) -> object:
        yield {"name": "t1", "path": "f", "ok": True, "reason": "ok", "expected_failure": False}
        yield {"name": "t2", "path": "f", "ok": False, "reason": "boom", "expected_failure": False}
        raise KeyboardInterrupt

    monkeypatch.setattr(conformance, "iter_results", two_then_interrupt)
    monkeypatch.setattr(conformance, "PROGRESS_SECONDS", 3600.0)  # only the interruption writes
    report_path = tmp_path / "report.json"
    assert main(["conformance", "evm", str(BAD_BLOCKS), "--machines", "a", "--json", str(report_path)]) == 130
    report = json.loads(report_path.read_text())
    assert (report["complete"], report["total"], report["passed"], report["failed"]) == (False, 2, 1, 1)
    assert not list(tmp_path.glob("*.partial"))


def test_conformance_passes_a_file_of_valid_and_invalid_blocks(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    assert main(["conformance", "evm", str(BAD_BLOCKS), "--jobs", "1", "--json", str(report_path)]) == 0
    report = json.loads(report_path.read_text())
    assert report["passed"] == report["total"] == len(report["tests"]) >= 1
    assert {"name", "ok", "reason"} <= set(report["tests"][0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["state", "show", "/nonexistent/s.bin"], "does not exist"),
        (["fast", "run", str(EXAMPLE)], "S: format version"),
        (["state", "from-fixture", str(COLLISION), "-o", "/tmp/unused.bin"], "choose one with --test"),
        (
            ["state", "from-fixture", str(BAD_BLOCKS), "--test", "nope", "-o", "/tmp/unused.bin"],
            "no test named",
        ),
        (["state", "from-fixture", str(EXAMPLE), "-o", "/tmp/unused.bin"], "is not JSON"),
        (["conformance", "evm", str(BAD_BLOCKS), "--machines", "b"], "choose from"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_description_with_a_typo_is_refused(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[accounts]]\naddress = "0x' + "11" * 20 + '"\nbalanse = 5\n')
    assert main(["state", "from-description", str(bad), "-o", str(tmp_path / "s.bin")]) == 2
    assert "unknown field(s) balanse" in capsys.readouterr().err


def test_bench_fast_reports_throughput_and_encoding_costs(capsys) -> None:
    assert main(["bench", "fast", "--quick", "--workloads", "erc20", "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    erc20 = report["workloads"]["erc20"]
    assert erc20["a_mgas_per_s"] > 0 and erc20["gas"] > 0
    assert erc20["overhead_ratio"] == pytest.approx(
        (erc20["encode_s_per_block"] + erc20["s_root_s_per_block"]) / erc20["a_exec_s_per_block"]
    )
    assert [row["accounts"] for row in report["state_size"]] == [10, 100]
    assert all(row["encode_s"] > 0 and row["s_root_s"] > 0 for row in report["state_size"])
