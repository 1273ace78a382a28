"""`swapvm bench mpt` on small tries: every row reports its figures, and they mean what they say
(a get hashes nothing, a write hashes the changed path, the guest reads no more than the witness)."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from bench import mpt


def test_small_run_reports_every_kind(tmp_path: Path) -> None:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind (callgrind) is not installed")
    parser = argparse.ArgumentParser()
    mpt.add_arguments(parser)
    out = tmp_path / "mpt.json"
    args = parser.parse_args(["--keys", "300", "--batch", "8"])
    args.json, args.check = str(out), False
    assert mpt.run(args) == 0
    rows = json.loads(out.read_text())["rows"]
    assert {(r["kind"], r["batch"]) for r in rows} == {(k, b) for k in mpt.KINDS for b in (1, 8)}
    for r in rows:
        assert r["instructions_per_op"] > 0 and r["keccakf"] > 0
        assert 0 < r["oracle_reads"] * r["batch"] <= r["witness_nodes"]
        assert r["ecalls"] >= r["oracle_bytes"] / 32
        assert (r["hashed"] == 0) == (r["kind"] == "get")
        assert r["ab_instructions_per_op"] is None
