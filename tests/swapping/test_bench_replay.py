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
