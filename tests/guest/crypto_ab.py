"""The crypto test driver on machine AB (the fast engine unless told otherwise): the image, the
per-call instruction counts and the typical precompile requests now live in bench/guest_probe.py
(shared with `swapvm bench guest`); this module keeps the tests' entry points."""

from __future__ import annotations

from bench.guest_probe import (
    ABDriver,
    crypto_ab_image,
    instructions_per_call,
    precompile_costs,
    typical_requests,
)

__all__ = ["ab_driver", "instructions_per_call", "precompile_costs", "typical_requests"]


def ab_driver(backend: str = "fast") -> ABDriver:
    """A driver that answers each batch in one AB window."""
    return ABDriver(crypto_ab_image(), backend=backend)
