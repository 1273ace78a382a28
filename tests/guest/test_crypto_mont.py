"""Montgomery arithmetic (guest/src/crypto/mont256.c) against Python integers, for the four
moduli the guest uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from core_driver import NativeDriver
from crypto_driver import (
    MODULI,
    MONT_ADD,
    MONT_INV,
    MONT_MUL,
    MONT_NEG,
    MONT_POW,
    MONT_SQR,
    MONT_SQRT,
    MONT_SUB,
    mont,
    open_driver,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


ctx_names = st.sampled_from(sorted(MODULI))


def element(ctx: str) -> st.SearchStrategy[int]:
    """Field elements with the edges (0, 1, m-1) weighted in."""
    m = MODULI[ctx]
    return st.one_of(st.sampled_from([0, 1, 2, m - 1, m - 2]), st.integers(0, m - 1))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_ring_operations(drv: NativeDriver, data: st.DataObject) -> None:
    """add, sub, mul, neg and pow agree with Python's modular arithmetic."""
    ctx = data.draw(ctx_names)
    m = MODULI[ctx]
    a, b = data.draw(element(ctx)), data.draw(element(ctx))
    assert mont(drv, ctx, MONT_ADD, a, b) == (a + b) % m
    assert mont(drv, ctx, MONT_SUB, a, b) == (a - b) % m
    assert mont(drv, ctx, MONT_MUL, a, b) == a * b % m
    assert mont(drv, ctx, MONT_NEG, a) == -a % m
    assert mont(drv, ctx, MONT_SQR, a) == a * a % m
    e = data.draw(st.integers(0, 2**256 - 1))
    assert mont(drv, ctx, MONT_POW, a, e) == pow(a, e, m)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_inverse_and_sqrt(drv: NativeDriver, data: st.DataObject) -> None:
    """Inverses (0 maps to 0) and square roots (None exactly for non-residues)."""
    ctx = data.draw(ctx_names)
    m = MODULI[ctx]
    a = data.draw(element(ctx))
    assert mont(drv, ctx, MONT_INV, a) == (pow(a, -1, m) if a else 0)
    if m % 4 == 3:
        root = mont(drv, ctx, MONT_SQRT, a)
        is_square = pow(a, (m - 1) // 2, m) in (0, 1)
        assert (root is not None) == is_square
        if root is not None:
            assert root * root % m == a


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_secp256k1_special_field(drv: NativeDriver, data: st.DataObject) -> None:
    """The plain-residue field modulo the secp256k1 p (fold-by-2^256 reduction) against Python."""
    m = MODULI["secp_p"]
    edges = [0, 1, 2, m - 1, m - 2, 2**255, 2**256 - 2**32 - 978, 2**128 - 1, 0x1000003D1]
    a = data.draw(st.one_of(st.sampled_from(edges), st.integers(0, m - 1)))
    b = data.draw(st.one_of(st.sampled_from(edges), st.integers(0, m - 1)))
    assert mont(drv, "secp_fe", MONT_MUL, a, b) == a * b % m
    assert mont(drv, "secp_fe", MONT_SQR, a) == a * a % m
    assert mont(drv, "secp_fe", MONT_ADD, a, b) == (a + b) % m
    assert mont(drv, "secp_fe", MONT_INV, a) == (pow(a, -1, m) if a else 0)
    root = mont(drv, "secp_fe", MONT_SQRT, a)
    assert (root is not None) == (pow(a, (m - 1) // 2, m) in (0, 1))
    if root is not None:
        assert root * root % m == a
