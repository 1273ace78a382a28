"""`swapvm bench replay --quick` runs end to end and reports every figure the issue names."""

from __future__ import annotations

import json
from pathlib import Path

from swapping.cli import main


def test_bench_replay_reports_every_figure(tmp_path: Path, capsys) -> None:  # noqa: ANN001 - pytest fixture
    out = tmp_path / "replay.json"
    assert main(["bench", "replay", "--quick", "--json", str(out)]) == 0
    printed = json.loads(out.read_text())
    assert "scaling with 2 workers" in capsys.readouterr().out   # --json FILE: the table still prints
    for key in ("blocks_per_s", "mgas_per_s", "scaling_2_workers", "orchestration_overhead"):
        assert key in printed
    assert set(printed["blocks_per_s"]) == {"1", "2"}
    assert [run["workers"] for run in printed["runs"]] == [1, 2]
    assert all(run["blocks"] == printed["workload"]["blocks"] for run in printed["runs"])


def test_bench_replay_compares_pool_against_pool(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Both runs hand the windows to a process pool, the 1-worker run too (never inline in the parent)."""
    import swapping.replay as replay_module

    asked: list[tuple[int | None, bool]] = []
    real = replay_module.run_tasks

    def capture(fn, tasks, workers=None, scheduler=None, always_pool=False):  # noqa: ANN001, ANN202
        asked.append((workers, always_pool))
        return real(fn, tasks, workers, scheduler, always_pool)

    monkeypatch.setattr(replay_module, "run_tasks", capture)
    assert main(["bench", "replay", "--quick", "--json", str(tmp_path / "r.json")]) == 0
    assert asked == [(1, True), (2, True)]


def test_bench_replay_alternates_counts_and_keeps_the_median_run(monkeypatch) -> None:  # noqa: ANN001
    """`--repeat 3` runs 1, 2, 1, 2, 1, 2 workers and reports, per count, the run of median wall time."""
    import bench.replay as bench_replay

    walls = {1: iter([3.0, 1.0, 2.0]), 2: iter([0.5, 9.0, 1.5])}
    order: list[int] = []

    def fake(chain, image, workers, s_version):  # noqa: ANN001, ANN202
        order.append(workers)
        return {"workers": workers, "ab_wall_s": next(walls[workers])}

    monkeypatch.setattr(bench_replay, "measure", fake)
    one, two = bench_replay.median_runs([], None, 2, 3)
    assert order == [1, 2, 1, 2, 1, 2]
    assert (one["ab_wall_s"], two["ab_wall_s"]) == (2.0, 1.5)
    assert one["wall_s_all"] == [3.0, 1.0, 2.0]
