"""secp256k1 public-key recovery (guest/src/crypto/secp256k1.c) against coincurve
(libsecp256k1): valid signatures from random keys, arbitrary (r, s, recid) triples, high s,
recovery ids 2 and 3, out-of-range values and x coordinates that are not on the curve."""

from __future__ import annotations

from collections.abc import Iterator

import coincurve
import pytest
from core_driver import NativeDriver
from Crypto.Hash import keccak
from crypto_driver import OP_ADDRESS, SECP_N, SECP_P, be32, open_driver, recover
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def drv() -> Iterator[NativeDriver]:
    """The native crypto driver."""
    yield from open_driver()


def oracle(msg_hash: bytes, r: int, s: int, recid: int) -> bytes | None:
    """libsecp256k1's recovery of the 64-byte key (x ‖ y), None when it rejects the signature."""
    if not (0 <= recid <= 3 and r < 2**256 and s < 2**256):
        return None
    try:
        pub = coincurve.PublicKey.from_signature_and_message(
            be32(r) + be32(s) + bytes([recid]), msg_hash, hasher=None
        )
    except Exception:
        return None
    return pub.format(compressed=False)[1:]


keys = st.integers(1, SECP_N - 1)
hashes = st.binary(min_size=32, max_size=32)


@settings(max_examples=150, deadline=None)
@given(keys, hashes)
def test_recovers_the_signer(drv: NativeDriver, secret: int, msg_hash: bytes) -> None:
    """A signature made with a random key recovers that key, with low and with high s."""
    key = coincurve.PrivateKey(secret.to_bytes(32, "big"))
    sig = key.sign_recoverable(msg_hash, hasher=None)
    r, s, recid = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    expected = key.public_key.format(compressed=False)[1:]
    assert recover(drv, msg_hash, r, s, recid) == expected
    # (r, n - s) with the other parity signs the same hash with the same key
    assert recover(drv, msg_hash, r, SECP_N - s, recid ^ 1) == expected
    assert oracle(msg_hash, r, SECP_N - s, recid ^ 1) == expected


@pytest.mark.parametrize("z", [0, 1, 2, SECP_N - 1, SECP_N, SECP_N + 1, 2**255, 2**256 - 1])
def test_edge_hashes(drv: NativeDriver, z: int) -> None:
    """Hashes that reduce to 0, 1, -1 modulo n (u1 = 0 or tiny or n - 1 after the split) recover
    the signer."""
    for secret in (1, 2, SECP_N - 1, 0xC0FFEE):
        key = coincurve.PrivateKey(secret.to_bytes(32, "big"))
        msg_hash = z.to_bytes(32, "big")
        sig = key.sign_recoverable(msg_hash, hasher=None)
        r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big")
        assert recover(drv, msg_hash, r, s, sig[64]) == key.public_key.format(compressed=False)[1:]


scalars = st.one_of(
    st.integers(0, 2**256 - 1), st.sampled_from([0, 1, SECP_N - 1, SECP_N, SECP_N + 1, 2**256 - 1])
)


@settings(max_examples=300, deadline=None)
@given(hashes, scalars, scalars, st.integers(0, 5))
def test_arbitrary_triples_match_libsecp256k1(
    drv: NativeDriver, msg_hash: bytes, r: int, s: int, recid: int
) -> None:
    """Whatever (r, s, recid) is given, the guest accepts exactly what libsecp256k1 accepts and
    recovers the same key."""
    assert recover(drv, msg_hash, r, s, recid) == oracle(msg_hash, r, s, recid)


@settings(max_examples=60, deadline=None)
@given(hashes, st.integers(1, SECP_P - SECP_N - 1), st.integers(1, SECP_N - 1), st.integers(2, 3))
def test_recid_with_x_beyond_n(drv: NativeDriver, msg_hash: bytes, r: int, s: int, recid: int) -> None:
    """Recovery ids 2 and 3 take R.x = r + n, possible when r < p - n."""
    assert recover(drv, msg_hash, r, s, recid) == oracle(msg_hash, r, s, recid)


def test_x_not_on_curve_is_rejected(drv: NativeDriver) -> None:
    """An r whose x^3 + 7 has no square root modulo p is refused by both."""
    msg_hash = bytes(range(32))
    found = 0
    for r in range(1, 200):
        if pow(r**3 + 7, (SECP_P - 1) // 2, SECP_P) != 1:
            assert recover(drv, msg_hash, r, 12345, 0) is None
            assert oracle(msg_hash, r, 12345, 0) is None
            found += 1
    assert found > 10


def test_range_edges(drv: NativeDriver) -> None:
    """r or s of 0 or ≥ n and recid > 3 are errors; r + n ≥ p for recid 2 is an error."""
    h = bytes(32)
    key = coincurve.PrivateKey(b"\x01" * 32)
    sig = key.sign_recoverable(h, hasher=None)
    r, s, v = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
    assert recover(drv, h, r, s, v) is not None
    for rr, ss, rid in [(0, s, v), (r, 0, v), (SECP_N, s, v), (r, SECP_N, v), (r, s, 4), (r, s, 255),
                        (SECP_P - SECP_N, s, 2), (SECP_N - 1, s, 3)]:
        assert recover(drv, h, rr, ss, rid) is None


@settings(max_examples=30, deadline=None)
@given(keys)
def test_address(drv: NativeDriver, secret: int) -> None:
    """The address is the last 20 bytes of keccak256 of x ‖ y."""
    pub = coincurve.PrivateKey(secret.to_bytes(32, "big")).public_key.format(compressed=False)[1:]
    status, out = drv.call(OP_ADDRESS, pub)
    assert status == 0
    assert out == keccak.new(digest_bits=256, data=pub).digest()[12:]


GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
LAMBDA = 0x5363AD4CC05C30E0A5261C028812645A122E22EA20816678DF02967C1B23BD72
SPECIAL_SCALARS = [1, 2, 3, 5, 7, 127, 128, 255, 2**64, 2**128 - 1, 2**128, 2**129 + 1, LAMBDA,
                   SECP_N - LAMBDA, SECP_N - 1, SECP_N - 2, SECP_N - 3, SECP_N - 127]


def signature_for(u1: int, u2: int, recid: int) -> tuple[bytes, int, int]:
    """(hash, r, s) making the guest compute u1·G + u2·R with R = ±G (r = G.x, recid its parity):
    u1 = -z/r and u2 = s/r, so s = u2·r and z = -u1·r (mod n)."""
    r = GX % SECP_N
    return (-u1 * r % SECP_N).to_bytes(32, "big"), r, u2 * r % SECP_N


@pytest.mark.parametrize("recid", [0, 1])
def test_colliding_points(drv: NativeDriver, recid: int) -> None:
    """R = ±G: the G and R digits add the same multiples of G, so the running sum meets the point
    it adds (the doubling and infinity branches of the mixed addition) and Q may be infinity;
    the guest agrees with libsecp256k1 on each, including Q = O (u1 = ∓u2)."""
    for u1 in SPECIAL_SCALARS:
        for u2 in SPECIAL_SCALARS:
            h, r, s = signature_for(u1, u2, recid)
            if s == 0:
                continue
            assert recover(drv, h, r, s, recid) == oracle(h, r, s, recid), (u1, u2)
    for u in SPECIAL_SCALARS:  # u1·G + u2·(±G) = O
        h, r, s = signature_for(u, u if recid else SECP_N - u, recid)
        assert oracle(h, r, s, recid) is None
        assert recover(drv, h, r, s, recid) is None


@settings(max_examples=100, deadline=None)
@given(st.integers(1, SECP_N - 1), st.integers(1, SECP_N - 1), st.integers(0, 1))
def test_random_scalars_against_generator(drv: NativeDriver, u1: int, u2: int, recid: int) -> None:
    """Arbitrary u1, u2 with R = ±G recover what libsecp256k1 recovers."""
    h, r, s = signature_for(u1, u2, recid)
    assert recover(drv, h, r, s, recid) == oracle(h, r, s, recid)
