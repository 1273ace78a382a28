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


@pytest.mark.parametrize("name", ["gen_secp256k1_gtable", "gen_bn254_consts", "gen_bls12_381_consts"])
def test_generated_files_are_current(name: str) -> None:
    """Regenerating gives the committed file byte for byte."""
    gen = generator(name)
    assert Path(gen.OUT).read_text() == gen.render()


def test_tau_g2_is_the_setup_point() -> None:
    """The embedded [τ]₂ is g2_monomial[1] of the trusted setup file ckzg loads, decompressed by
    py_ecc: on the twist, in G2, not the generator, and the bytes re-compress to the file's."""
    from py_ecc import optimized_bls12_381 as bls
    from py_ecc.bls.point_compression import compress_G2

    gen = generator("gen_bls12_381_consts")
    (x0, x1), (y0, y1) = gen.tau_g2()
    point = (bls.FQ2([x0, x1]), bls.FQ2([y0, y1]), bls.FQ2.one())
    assert bls.is_on_curve(point, bls.b2) and bls.is_inf(bls.multiply(point, bls.curve_order))
    assert not bls.eq(point, bls.G2)
    z1, z2 = compress_G2(point)
    assert z1.to_bytes(48, "big") + z2.to_bytes(48, "big") == gen.g2_monomial(1)
    text = Path(gen.OUT).read_text()
    assert f"const fp2 BLS_TAU_G2_X = {gen.fp2((x0, x1))};" in text
    assert f"const fp2 BLS_TAU_G2_Y = {gen.fp2((y0, y1))};" in text


def test_glv_split_is_exact_and_short() -> None:
    """k ≡ k1 + k2·λ (mod n) with both parts (up to sign) below 2^129, the guest's rounding."""
    gen = generator("gen_secp256k1_gtable")
    lam = gen.glv()[0]
    rng = random.Random(3)
    for k in [0, 1, 2, gen.N - 1, gen.N // 2, *(rng.randrange(gen.N) for _ in range(2000))]:
        k1, k2 = gen.split(k)
        assert (k1 + k2 * lam - k) % gen.N == 0
        assert min(k1, gen.N - k1) < 2**129 and min(k2, gen.N - k2) < 2**129
