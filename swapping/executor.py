"""Where AB windows run: a local process pool by default, an existing Dask cluster when given.

Both run the same picklable task function; results come back as they finish, tagged by key.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from emulator.errors import SwapvmError

Task = tuple[Any, tuple[Any, ...]]   # (key, arguments of the task function)


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


PR_SET_PDEATHSIG = 1   # prctl(2): the signal a process receives when its parent dies
PARENT_POLL_SECONDS = 0.5


def _watch_parent(parent: int) -> None:
    """End this process as soon as it is no longer the child of `parent` (re-parented on its death)."""
    while True:
        time.sleep(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def exit_with_parent(parent: int) -> None:
    """Pool initializer: a worker ends when the process that started it dies, even by kill -9.

    On Linux the kernel sends SIGKILL on the parent's death (PR_SET_PDEATHSIG); everywhere, a daemon
    thread notices the re-parenting within half a second (the window's engine releases the GIL)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):   # pragma: no cover - no prctl: the thread below suffices
            pass
    if os.getppid() != parent:   # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="swapvm-parent-watch").start()


def run_local(fn: Callable[..., Any], tasks: list[Task], workers: int,
              always_pool: bool = False) -> Iterator[tuple[Any, Any]]:
    """Run tasks in a process pool (inline when workers == 1, unless always_pool: a benchmark compares
    pools); yield (key, result) as they finish."""
    if workers < 1:
        raise SwapvmError("--workers must be at least 1")
    if not always_pool and (workers == 1 or len(tasks) <= 1):
        for key, args in tasks:
            yield key, fn(*args)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=exit_with_parent, initargs=(os.getpid(),))
    with pool:
        futures = {pool.submit(fn, *args): key for key, args in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()


def run_dask(fn: Callable[..., Any], tasks: list[Task], scheduler: str) -> Iterator[tuple[Any, Any]]:
    """Run tasks on an existing Dask distributed cluster; large shared arguments are scattered once."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise SwapvmError("--scheduler needs the 'distributed' package") from None
    try:
        client = Client(scheduler, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise SwapvmError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        shared: dict[int, Any] = {}
        futures = {}
        repeated = shared_arguments(tasks)
        for key, args in tasks:
            # Scatter big byte strings shared by tasks (the guest image) once and pass them by reference;
            # a task's own bytes (S_t, its block's witness) travel with it.
            call = []
            for arg in args:
                if isinstance(arg, bytes) and id(arg) in repeated:
                    ident = id(arg)
                    if ident not in shared:
                        shared[ident] = client.scatter(arg, broadcast=True)
                    call.append(shared[ident])
                else:
                    call.append(arg)
            futures[client.submit(fn, *call, pure=False)] = key
        for future in dask_completed(list(futures)):
            yield futures[future], future.result()
    finally:
        client.close()


SCATTER_BYTES = 64 * 1024   # a byte string at least this large that tasks share is scattered once


def shared_arguments(tasks: list[Task]) -> set[int]:
    """The ids of large byte strings that are arguments of more than one task (the very same object)."""
    seen: dict[int, int] = {}
    for _key, args in tasks:
        for arg in {id(arg): arg for arg in args if isinstance(arg, bytes) and len(arg) > SCATTER_BYTES}:
            seen[arg] = seen.get(arg, 0) + 1
    return {ident for ident, count in seen.items() if count > 1}


def run_tasks(
    fn: Callable[..., Any], tasks: list[Task], workers: int | None = None, scheduler: str | None = None,
    always_pool: bool = False,
) -> Iterator[tuple[Any, Any]]:
    """Dispatch to the Dask cluster when a scheduler address is given, else to the local pool."""
    if scheduler:
        return run_dask(fn, tasks, scheduler)
    return run_local(fn, tasks, workers or default_workers(), always_pool)
