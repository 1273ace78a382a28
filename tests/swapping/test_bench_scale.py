"""`bench scale` and `bench guest`'s store chains: A exports, AB runs on the witness, and they agree."""

from __future__ import annotations

import json
from pathlib import Path

from bench.guest import measure_scale_chain
from swapping.cli import main
from swapping.guest_image import guest_image

TRANSFER_GAS = 21_000


def test_bench_scale_rows_match_and_carry_their_figures(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    argv = ["bench", "scale", "--accounts", "40", "--workloads", "transfers", "--txs", "2",
            "--json", str(out)]
    assert main(argv) == 0   # without --check a missed goal is named on stderr, not an exit code
    report = json.loads(out.read_text())
    (row,) = report["rows"]
    assert (row["workload"], row["accounts"], row["gas"]) == ("transfers", 40, 2 * TRANSFER_GAS)
    assert row["match"] is True
    assert row["instructions_per_gas"] == row["ab_instructions"] / row["gas"]
    assert row["witness_entries"] > 0 and row["s_image_bytes"] < 1024


def test_bench_guest_store_chain_checks_every_block_on_ab() -> None:
    report = measure_scale_chain("transfers", 40, 2, 2, guest_image())
    assert report["blocks"] == 2 and report["match"] is True
    assert [b["gas"] for b in report["per_block"]] == [2 * TRANSFER_GAS] * 2
    assert report["ab_instructions"] == sum(b["ab_instructions"] for b in report["per_block"])
