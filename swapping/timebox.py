"""Run a function in a forked child with a deadline: a test that overruns is killed, whatever it runs.

A signal cannot stop AB while Unicorn runs a window in C, so the test runs in its own process and
the parent kills it (SIGKILL) at the deadline. The result travels back as JSON over a pipe.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from collections.abc import Callable
from typing import Any


class Overtime(Exception):
    """The child did not finish before the deadline (it has been killed)."""


class ChildDied(Exception):
    """The child ended without a result (a crash of native code, an out-of-memory kill)."""


def _child(function: Callable[[], Any], write_end: int) -> None:
    """In the child: compute, send the JSON result, and leave at once (no atexit, no pytest teardown)."""
    code = 0
    try:
        data = json.dumps(function()).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
    except BaseException:   # noqa: BLE001 - the parent reports a child without a result
        code = 1
    finally:
        os._exit(code)


def run_timeboxed(function: Callable[[], Any], seconds: float) -> Any:
    """function()'s JSON-ready result, computed in a child process killed after `seconds`."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(function, write_end)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise Overtime(f"did not finish within {seconds:g} s")
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        raise ChildDied(f"the test's process ended without a result (wait status {status})")
    return json.loads(b"".join(chunks))
