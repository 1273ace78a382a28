"""`swapvm bench machine`: a tiny run prints one JSON object with every figure the issue asks for."""

from __future__ import annotations

import json

import pytest

from bench.machine import reference_speed
from swapping.cli import main as swapvm_main

REQUIRED = (
    "reference_steps_per_s",
    "unicorn_window_steps_per_s",
    "unicorn_raw_steps_per_s",
    "root_update_s",
    "proof_bytes_max",
    "verify_ms",
)


def test_bench_machine_prints_every_figure_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "machine", "--json", "-", "--rounds", "3", "--reference-rounds", "3", "--proofs", "8",
            "--repeat", "1"]
    assert swapvm_main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(result[key] > 0 for key in REQUIRED)
    assert result["proof_bytes_max"] <= 8 << 10
    # the Unicorn window and the Python engine count the same steps for the same input
    assert result["unicorn_steps"] == reference_speed(3)[2]
