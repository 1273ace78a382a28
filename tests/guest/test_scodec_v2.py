"""The guest's S version 2 codec (guest/src/scodec/v2.c) against fastvm's (spec §6.2): every canonical
image re-encodes byte-identically in C, and every image Python refuses, C refuses too."""

from __future__ import annotations

import pytest
from core_driver import NativeDriver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastvm.codec import StateDecodeError
from fastvm.codec_v2 import decode_v2, encode_v2
from fastvm.state_v2 import EssentialStateV2
from tests.fastvm.s_strategies import states_v2
from tests.fastvm.test_s_codec_v2 import CASES

OP_S2_ROUNDTRIP = 24  # guest/tests/core/ops.h
S_OK = 0
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def _python_accepts(image: bytes) -> bool:
    """Python's verdict on an image, which by §4.1 (as for version 1) includes the padding the guest skips."""
    try:
        decode_v2(image)
    except StateDecodeError:
        return False
    return True


@SETTINGS
@given(states_v2())
def test_c_reencodes_every_canonical_image_identically(
    core: NativeDriver, state: EssentialStateV2
) -> None:
    image = encode_v2(state)
    assert core.call(OP_S2_ROUNDTRIP, image) == (S_OK, image)


# The guest does not read the padding after the payload (spec §4.1): that rule is Python's alone.
GUEST_CASES = [(image, message) for image, message in CASES if "nonzero byte at offset" not in message]


@pytest.mark.parametrize("image, message", GUEST_CASES, ids=[m for _, m in GUEST_CASES])
def test_c_refuses_what_python_refuses(core: NativeDriver, image: bytes, message: str) -> None:
    assert core.call(OP_S2_ROUNDTRIP, image)[0] != S_OK


def test_c_does_not_read_the_padding(core: NativeDriver) -> None:
    image = next(image for image, message in CASES if "nonzero byte at offset" in message)
    assert core.call(OP_S2_ROUNDTRIP, image) == (S_OK, image[:-1])


@SETTINGS
@given(states_v2(), st.integers(min_value=0, max_value=2**16 - 1), st.integers(min_value=1, max_value=255))
def test_mutated_images_get_the_same_verdict(
    core: NativeDriver, state: EssentialStateV2, where: int, flip: int
) -> None:
    image = bytearray(encode_v2(state))
    image[where % len(image)] ^= flip
    status, data = core.call(OP_S2_ROUNDTRIP, bytes(image))
    assert (status == S_OK) == _python_accepts(bytes(image))
    if status == S_OK:
        assert data == bytes(image)
