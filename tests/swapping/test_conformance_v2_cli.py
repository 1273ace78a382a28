"""`swapvm conformance evm --s-version 2`: the transition tests run, the report names the version, and
version 1 still gives them one NOTRUN each."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from swapping.cli import main
from swapping.conformance import DEFAULT_S_VERSION, s_version_arg

ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT.parent / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
SIMPLE = QUICK / "ValidBlocks" / "bcValidBlockTest" / "SimpleTx.json"
BAD_BLOCKS = QUICK / "InvalidBlocks" / "bcEIP1559" / "badBlocks.json"
TRANSITION = (ROOT.parent / "shared" / "conformance" / "cancun" / "BlockchainTests" / "GeneralStateTests"
              / "Pyspecs" / "cancun" / "eip4844_blobs" / "invalid_post_fork_block_without_blob_fields.json")


def report(tmp_path: Path, *args: str) -> tuple[int, dict]:
    """Exit code and JSON report of `conformance evm` on the given arguments."""
    out = tmp_path / f"report{len(list(tmp_path.iterdir()))}.json"
    code = main(["conformance", "evm", *args, "--jobs", "1", "--quiet", "--json", str(out)])
    return code, json.loads(out.read_text())


def test_version_2_runs_the_transition_tests_on_a(tmp_path: Path) -> None:
    code, result = report(tmp_path, str(TRANSITION), str(SIMPLE), str(BAD_BLOCKS), "--machines", "a",
                          "--s-version", "2")
    assert code == 0 and result["s_version"] == 2
    transition = [t for t in result["tests"] if t["path"] == str(TRANSITION)]
    assert len(transition) == 3 and all(t["ok"] for t in transition)
    assert result["passed"] == result["total"] and result["not_run"] == 0


def test_version_1_gives_each_transition_test_one_notrun(tmp_path: Path) -> None:
    code, result = report(tmp_path, str(TRANSITION), "--machines", "a", "--s-version", "1")
    assert code == 1 and result["s_version"] == 1 and result["not_run"] == result["total"] == 3
    assert all("at timestamp 15,000" in t["reason"] and t["reason"].endswith("--s-version 2 runs it")
               for t in result["tests"])


def test_the_default_is_version_2(tmp_path: Path) -> None:
    _code, result = report(tmp_path, str(SIMPLE), "--machines", "a")
    assert result["s_version"] == DEFAULT_S_VERSION == 2


@pytest.mark.parametrize("text", ["0", "3", "v2", ""])
def test_other_versions_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="S version 1 or 2"):
        s_version_arg(text)
