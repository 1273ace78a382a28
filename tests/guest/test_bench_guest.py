"""`swapvm bench guest --quick` runs and reports every figure of issues 4 and 5 (no timings checked)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bench import guest

CHAIN_KEYS = {"blocks", "gas", "ab_instructions", "instructions_per_gas", "ab_s", "a_s", "ab_s_over_a_s",
              "match", "per_block"}
PRECOMPILES = {"ecrecover", "sha256_32", "identity_32", "modexp_256", "ecadd", "ecmul", "ecpairing_2",
               "blake2f_12", "point_evaluation"}


def test_quick_run_reports_every_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not guest.FIXTURES.exists():
        pytest.skip("no fixtures under ../shared/fixtures")
    parser = argparse.ArgumentParser()
    guest.add_arguments(parser)
    out = tmp_path / "guest.json"
    args = parser.parse_args(["--quick"])
    args.json, args.check = str(out), False
    assert guest.run(args) == 0
    report = json.loads(out.read_text())
    assert "instructions per gas" in capsys.readouterr().out   # --json FILE: the table still prints
    assert set(report["workloads"]) == {"transfers", "erc20", "arith", "keccak", "sstore"}
    assert report["fixtures"]
    for chain in [*report["workloads"].values(), *report["fixtures"].values()]:
        assert CHAIN_KEYS <= set(chain)
        assert chain["match"], "AB's S' differs from A's"
        assert chain["ab_instructions"] > 0
    assert set(report["precompile_instructions"]) == PRECOMPILES
    for key in ("keccakf_instructions", "ecrecover_instructions", "image_bytes", "elf_bytes", "image_sha256"):
        assert report[key]
    assert set(report["goals"]) == set(guest.GOALS)
    assert all({"value", "limit", "met"} <= set(g) for g in report["goals"].values())


def test_quick_profile_reports_every_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not guest.FIXTURES.exists():
        pytest.skip("no fixtures under ../shared/fixtures")
    parser = argparse.ArgumentParser()
    guest.add_arguments(parser)
    args = parser.parse_args(["--quick", "--profile", "--profile-chains", "mergeExample_Shanghai"])
    args.json, args.check = str(tmp_path / "profile.json"), False
    assert guest.run(args) == 0
    assert "mergeExample_Shanghai" in capsys.readouterr().out
    prof = json.loads(Path(args.json).read_text())["profile"]["mergeExample_Shanghai"]
    assert prof["steps"] > 0 and prof["self"] and prof["inclusive"]
    # the exact counts add up: main spans the whole window but the few start-up instructions
    assert prof["inclusive"][0]["function"] == "main"
    assert 0 < prof["steps"] - prof["inclusive"][0]["instructions"] < 1_000
    assert all({"function", "instructions", "share"} <= set(row) for row in prof["self"])


def test_s_version_2_chain_matches_with_the_witness_as_oracle() -> None:
    """`--s-version 2`: every block's AB S' equals A's, with the witness's size reported per block."""
    from fastvm.workloads import workload
    from swapping.guest_image import guest_image

    chain = guest.measure_chain_v2(workload("transfers", 20, 2, 3), guest_image())
    assert CHAIN_KEYS <= set(chain) and chain["blocks"] == 2 and chain["match"]
    assert all(block["witness_entries"] > 0 and block["witness_bytes"] > 0 for block in chain["per_block"])
