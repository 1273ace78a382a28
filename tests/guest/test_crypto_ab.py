"""The crypto driver on machine AB (fast engine): the same answers as the oracles and the native
build for recovery and every precompile, and the instruction budgets of issue 4 and issue 5
(recovery ≤ 2,000,000; a 2-pair pairing check ≤ 60,000,000, slow)."""

from __future__ import annotations

import coincurve
import pytest
from crypto_ab import ab_driver, instructions_per_call
from crypto_driver import OP_PRECOMPILE, OP_RECOVER, PRECOMPILE_OK, SECP_N, be32, u64
from py_ecc import optimized_bn128 as bn
from test_crypto_bn254 import enc_g1, enc_g2, g1, g2
from test_crypto_modexp import call_input, expected_output

RECOVERY_BUDGET = 2_000_000
PAIRING_BUDGET = 60_000_000


def recovery_request(secret: int, msg_hash: bytes) -> tuple[bytes, bytes]:
    """An OP_RECOVER argument and the key it must give."""
    key = coincurve.PrivateKey(secret.to_bytes(32, "big"))
    sig = key.sign_recoverable(msg_hash, hasher=None)
    return msg_hash + sig[:65], key.public_key.format(compressed=False)[1:]


def test_recovery_on_ab_within_budget() -> None:
    """Recoveries answered on AB match coincurve, and one costs at most 2 M instructions."""
    drv = ab_driver()
    cases = [recovery_request((i * 0x9E3779B97F4A7C15 + 1) % SECP_N, bytes([i]) * 32) for i in range(1, 4)]
    answers = drv.batch([(OP_RECOVER, arg) for arg, _ in cases])
    assert answers == [(0, pub) for _, pub in cases]
    steps = instructions_per_call(drv, OP_RECOVER, cases[0][0])
    print(f"secp256k1 recovery: {steps} AB instructions")
    assert steps <= RECOVERY_BUDGET


def precompile_request(addr: int, data: bytes, gas: int = 10**9) -> tuple[int, bytes]:
    """An OP_PRECOMPILE request."""
    return OP_PRECOMPILE, u64(addr) + u64(gas) + data


def test_precompiles_on_ab() -> None:
    """ecAdd, ecMul, modexp and blake2f on AB give the oracle's outputs."""
    drv = ab_driver()
    mod_in = call_input(be32(3**100), be32(2**255 - 19), be32(2**256 - 189))
    blake_in = (12).to_bytes(4, "big") + bytes(range(209))
    reqs = [
        precompile_request(6, enc_g1(g1(3)) + enc_g1(g1(5))),
        precompile_request(7, enc_g1(g1(3)) + be32(2**256 - 12345)),
        precompile_request(5, mod_in),
        precompile_request(9, blake_in[:212] + b"\x01"),
    ]
    answers = drv.batch(reqs)
    assert [status for status, _ in answers] == [PRECOMPILE_OK] * 4
    assert answers[0][1][8:] == enc_g1(g1(8))
    assert answers[1][1][8:] == enc_g1(bn.multiply(g1(3), 2**256 - 12345))
    assert answers[2][1][8:] == expected_output(mod_in)
    assert len(answers[3][1]) == 8 + 64


@pytest.mark.slow
def test_pairing_on_ab_within_budget() -> None:
    """A 2-pair pairing check on AB holds, and costs at most 60 M instructions."""
    drv = ab_driver()
    a, c = 1234567, 7654321
    data = enc_g1(g1(a)) + enc_g2(g2(c)) + enc_g1(bn.neg(g1(a * c))) + enc_g2(bn.G2)
    op, arg = precompile_request(8, data)
    assert drv.batch([(op, arg)])[0][1][8:] == be32(1)
    steps = instructions_per_call(drv, op, arg, k=1)
    print(f"2-pair pairing check: {steps} AB instructions")
    assert steps <= PAIRING_BUDGET
