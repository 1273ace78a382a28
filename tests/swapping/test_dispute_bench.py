"""`swapvm bench dispute` runs end to end and reports the figures the issue names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapping.cli import main


def test_bench_dispute_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lie inside a window of at least 2^24 steps, b + a rounds, proof size, gas."""
    out = tmp_path / "dispute.json"
    store = str(tmp_path / "store")
    args = ["bench", "dispute", "--sample", "3", "--store", store, "--json", str(out)]
    assert main(args) == 0
    printed = json.loads(out.read_text())
    assert "dispute on" in capsys.readouterr().out   # --json FILE: the table still prints
    assert printed["log2_window"] >= 24 and printed["honest_won"]
    assert printed["rounds"] == printed["log2_window"] + printed["log2_blocks"]
    assert printed["dispute_s"] > 0 and printed["proof_bytes_max"] >= printed["proof_bytes_median"] > 0
    for key in ("verify_gas_max", "verify_gas_median"):
        assert key in printed
    if printed["verify_gas_max"] is not None:
        assert printed["verify_gas_max"] >= printed["verify_gas_median"] > 21_000
