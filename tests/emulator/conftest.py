"""Shared fixtures for machine AB tests: every behaviour test runs on each backend."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))   # rvasm and emu_harness are plain modules next to the tests

BACKENDS = ("reference", "fast", "unicorn")


def unicorn_built() -> bool:
    """Whether the Unicorn engine module exists yet."""
    return (ROOT / "emulator" / "unicorn_engine.py").exists()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The engine under test; unicorn is skipped (visibly) until its module lands."""
    if request.param == "unicorn" and not unicorn_built():
        pytest.skip("engine not built yet")
    return str(request.param)
