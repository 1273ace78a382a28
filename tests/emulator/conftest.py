"""Shared fixtures for machine AB tests: every behaviour test runs on each backend."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))   # rvasm and emu_harness are plain modules next to the tests

BACKENDS = ("reference", "fast", "unicorn")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The engine under test."""
    return str(request.param)
