"""Every difference between two essential states, found by decoding both: for mismatch reports."""

from __future__ import annotations

from emulator.errors import SwapvmError
from fastvm.inspect_state import diff_lines, diff_states, summary_line
from fastvm.sfiles import decode_any, diff_v2_lines
from fastvm.state_v2 import EssentialStateV2


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
        return diff_v2_lines(a_state, ab_state, ("A", "AB")) or ["no difference"]
    return diff_lines(diff_states(a_state, ab_state), ("A", "AB")) or ["no difference"]


def describe_mismatch(a_image: bytes, ab_image: bytes, s_size: int) -> str:
    """The differences of A's and AB's S' in one line: the first, and how many more."""
    return summary_line(mismatch_differences(a_image, ab_image, s_size))
