"""`swapvm conformance evm --machines ab`: AB alone against the fixtures, without A."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from swapping.cli import main
from swapping.conformance import parse_machines

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
VALID_AND_INVALID = FIXTURES / "InvalidBlocks" / "bcEIP1559" / "badBlocks.json"
TRANSFERS = FIXTURES / "ValidBlocks" / "bcStateTests" / "logRevert.json"


def _report(tmp_path: Path, *args: str) -> dict:
    """Run `conformance evm` on the two files with the given options; the JSON report."""
    out = tmp_path / f"report{len(list(tmp_path.iterdir()))}.json"
    files = [str(VALID_AND_INVALID), str(TRANSFERS)]
    # S version 1: AB alone runs every block there (on version 2: tests/swapping/test_conformance_ab_v2.py)
    main(["conformance", "evm", *files, "--jobs", "1", "--s-version", "1", "--json", str(out), *args])
    return json.loads(out.read_text())


def test_ab_alone_gives_the_fixture_verdicts(tmp_path: Path) -> None:
    alone = _report(tmp_path, "--machines", "ab")
    with_a = _report(tmp_path, "--machines", "a")
    assert alone["machines"] == ["ab"] and alone["complete"]
    assert alone["passed"] == alone["total"] == with_a["total"] >= 2
    assert [t["name"] for t in alone["tests"]] == [t["name"] for t in with_a["tests"]]


def test_ab_alone_reports_a_window_too_small(tmp_path: Path) -> None:
    report = _report(tmp_path, "--machines", "ab", "--log2-window", "12")
    assert report["failed"] == report["total"] >= 2
    assert all("AB did not yield within 2^12 steps" in t["reason"] for t in report["tests"])


@pytest.mark.parametrize(("text", "machines"), [("ab", ("ab",)), ("ab,a", ("a", "ab")), (" a ", ("a",))])
def test_machine_lists(text: str, machines: tuple[str, ...]) -> None:
    assert parse_machines(text) == machines


@pytest.mark.parametrize("text", ["", "b", "a,abc", ","])
def test_unknown_machines_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="choose from a, ab"):
        parse_machines(text)
