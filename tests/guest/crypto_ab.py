"""The crypto test driver on machine AB: built as a guest image with the pinned toolchain and
run through the S window by ``core_driver.ABDriver`` (the fast engine unless told otherwise).

Instructions per request are the difference between a batch holding the request k times and an
empty batch, divided by k, so start-up and framing costs cancel out.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from core_driver import ABDriver
from crypto_driver import crypto_sources

from toolchain.build import ImageSpec, build_image


@functools.cache
def ab_image() -> Path:
    """The crypto driver image (built once per session)."""
    out = Path(tempfile.mkdtemp(prefix="crypto_ab_")) / "crypto_tests.elf"
    return build_image(ImageSpec("crypto_tests", tuple(crypto_sources("harness_ab.c")), locked=False), out)


def ab_driver(backend: str = "fast") -> ABDriver:
    """A driver that answers each batch in one AB window."""
    return ABDriver(ab_image(), backend=backend)


def instructions_per_call(drv: ABDriver, op: int, arg: bytes, k: int = 2) -> int:
    """AB instructions of one request, net of the batch overhead."""
    drv.batch([])
    base = drv.last_steps
    drv.batch([(op, arg)] * k)
    return (drv.last_steps - base) // k
