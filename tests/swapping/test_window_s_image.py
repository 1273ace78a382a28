"""read_s_image reads the framed S image of both framing versions (spec §3.1, §6.2) and refuses others."""

from __future__ import annotations

import pytest

from emulator.layout import S_BASE
from swapping.window import S_HEADER, read_s_image

S_SIZE = 4096


class _Window:
    """A stand-in for a machine state: only the S window, read by address."""

    def __init__(self, image: bytes) -> None:
        """Hold the S window's bytes, zero-padded to S_SIZE."""
        self.data = image + bytes(S_SIZE - len(image))

    def read(self, address: int, length: int) -> bytes:
        """length bytes at address inside the S window."""
        return self.data[address - S_BASE:address - S_BASE + length]


@pytest.mark.parametrize("version", [1, 2])
def test_both_framing_versions_are_read(version: int) -> None:
    """A header of version 1 or 2 yields exactly header + payload, not the tail after it."""
    payload = b"\xaa" * 40
    image = S_HEADER.pack(version, len(payload)) + payload
    assert read_s_image(_Window(image + b"\xbb" * 8), S_SIZE) == image


@pytest.mark.parametrize("version", [0, 3])
def test_other_versions_are_unreadable(version: int) -> None:
    """Any other version is an impossible header: b""."""
    assert read_s_image(_Window(S_HEADER.pack(version, 4) + b"abcd"), S_SIZE) == b""


def test_length_past_the_window_is_unreadable() -> None:
    """A version 2 header whose length does not fit the window is impossible too."""
    assert read_s_image(_Window(S_HEADER.pack(2, S_SIZE)), S_SIZE) == b""
