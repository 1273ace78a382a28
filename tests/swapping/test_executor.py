"""The local pool: results come back by key, and workers never outlive a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swapping.executor import run_local

ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import time
from swapping.executor import run_local
print("started", flush=True)
for _ in run_local(time.sleep, [(0, (120,)), (1, (120,))], 2):
    pass
"""


def test_results_come_back_by_key() -> None:
    assert dict(run_local(pow, [(k, (k, 2)) for k in range(5)], 2)) == {k: k * k for k in range(5)}


def children_of(pid: int) -> set[int]:
    """The direct children of a process, from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find the workers")
def test_workers_exit_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None and parent.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = children_of(parent.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, f"the pool did not start its workers: {workers}"
    time.sleep(0.5)   # let the workers pick up their 120-second tasks
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [w for w in workers if alive(w)]
    for w in survivors:
        os.kill(w, signal.SIGKILL)
    assert not survivors, f"workers {survivors} outlived their killed parent"


def test_always_pool_runs_one_worker_in_another_process() -> None:
    """With always_pool, one worker is a pool process (the benchmark's 1-worker baseline), not the parent;
    without it, one worker runs inline."""
    pooled = dict(run_local(os.getpid, [(0, ())], 1, always_pool=True))
    inline = dict(run_local(os.getpid, [(0, ())], 1))
    assert pooled[0] != os.getpid() and inline[0] == os.getpid()
