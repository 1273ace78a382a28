"""`swapvm conformance evm --scheduler` runs the fixture files on a Dask cluster with the same verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swapping.cli import main

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ethereum-tests" / "BlockchainTests"
FILES = [
    FIXTURES / "InvalidBlocks" / "bcEIP3675" / "timestampPerBlock.json",
    FIXTURES / "ValidBlocks" / "bcExample",
]


def verdicts(report_path: Path) -> list[tuple[str, bool, str]]:
    """What must be identical between the pool and the cluster."""
    return [(t["name"], t["ok"], t["reason"]) for t in json.loads(report_path.read_text())["tests"]]


def test_the_cluster_gives_the_pools_verdicts_on_both_machines(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    base = ["conformance", "evm", *map(str, FILES), "--machines", "a,ab", "--quiet", "--json"]
    assert main([*base, str(tmp_path / "pool.json"), "--jobs", "2"]) == 0
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert main([*base, str(tmp_path / "dask.json"), "--scheduler", cluster.scheduler_address]) == 0
    assert verdicts(tmp_path / "dask.json") == verdicts(tmp_path / "pool.json")
    assert len(verdicts(tmp_path / "pool.json")) >= 2
