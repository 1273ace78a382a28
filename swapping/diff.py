"""Every difference between two essential states, found by decoding both: for mismatch reports."""

from __future__ import annotations

from emulator.errors import SwapvmError
from fastvm.inspect_state import diff_lines, diff_states, summary_line
from fastvm.sfiles import decode_any
from fastvm.state_v2 import PAYLOAD_FIELDS_2, EssentialStateV2


def _v2_lines(a_state: object, ab_state: object) -> list[str]:
    """The top-level fields of S version 2 that differ (the world is not in S: its root is the header's)."""
    if not isinstance(a_state, EssentialStateV2) or not isinstance(ab_state, EssentialStateV2):
        return [f"A's S is version {2 if isinstance(a_state, EssentialStateV2) else 1}, AB's is not"]
    return [f"{name}: A {getattr(a_state, name)!r:.120} / AB {getattr(ab_state, name)!r:.120}"
            for name in PAYLOAD_FIELDS_2 if getattr(a_state, name) != getattr(ab_state, name)]


def mismatch_differences(a_image: bytes, ab_image: bytes, s_size: int) -> list[str]:
    """Every differing field, account field and slot of A's and AB's S', one line each (A first)."""
    a_state = decode_any(a_image, s_size)
    if not ab_image:
        return ["AB left no valid S header in the S window"]
    try:
        ab_state = decode_any(ab_image, s_size)
    except SwapvmError as exc:
        return [f"AB's S is not canonical: {exc}"]
    if isinstance(a_state, EssentialStateV2) or isinstance(ab_state, EssentialStateV2):
        return _v2_lines(a_state, ab_state) or ["no difference"]
    return diff_lines(diff_states(a_state, ab_state), ("A", "AB")) or ["no difference"]


def describe_mismatch(a_image: bytes, ab_image: bytes, s_size: int) -> str:
    """The differences of A's and AB's S' in one line: the first, and how many more."""
    return summary_line(mismatch_differences(a_image, ab_image, s_size))
