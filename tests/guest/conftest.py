"""Fixtures of the guest tests: the core test driver, built once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from core_driver import NativeDriver, build_native


@pytest.fixture(scope="session")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeDriver]:
    """The core driver built natively with sanitizers, running for the whole session."""
    try:
        exe = build_native(tmp_path_factory.mktemp("core"))
    except RuntimeError as e:
        pytest.skip(str(e))
    drv = NativeDriver(exe)
    yield drv
    drv.close()
