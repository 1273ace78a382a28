"""The generated constant tables of guest/src/crypto are what their generators produce now
(guest/tests/crypto/gen_*.py derive every constant from the curve parameters), and the GLV
split the guest computes is exact and short."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest
from crypto_driver import CRYPTO_TESTS


def generator(name: str) -> ModuleType:
    """Load guest/tests/crypto/<name>.py as a module."""
    spec = importlib.util.spec_from_file_location(name, CRYPTO_TESTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["gen_secp256k1_gtable", "gen_bn254_consts"])
def test_generated_files_are_current(name: str) -> None:
    """Regenerating gives the committed file byte for byte."""
    gen = generator(name)
    assert Path(gen.OUT).read_text() == gen.render()


def test_glv_split_is_exact_and_short() -> None:
    """k ≡ k1 + k2·λ (mod n) with both parts (up to sign) below 2^129, the guest's rounding."""
    gen = generator("gen_secp256k1_gtable")
    lam = gen.glv()[0]
    rng = random.Random(3)
    for k in [0, 1, 2, gen.N - 1, gen.N // 2, *(rng.randrange(gen.N) for _ in range(2000))]:
        k1, k2 = gen.split(k)
        assert (k1 + k2 * lam - k) % gen.N == 0
        assert min(k1, gen.N - k1) < 2**129 and min(k2, gen.N - k2) < 2**129
