"""The first difference between two essential states, found by decoding both: for mismatch reports."""

from __future__ import annotations

from dataclasses import fields

from emulator.errors import SwapvmError
from fastvm.codec import decode
from fastvm.difference import first_account_difference
from fastvm.state import EssentialState


def first_difference(a: EssentialState, ab: EssentialState) -> str:
    """One line naming the first field (or account field) in which A's and AB's states differ."""
    for item in fields(EssentialState):
        mine, theirs = getattr(a, item.name), getattr(ab, item.name)
        if mine == theirs:
            continue
        if item.name != "accounts":
            return f"{item.name} differs"
        return first_account_difference(mine, theirs, ("A", "AB"))
    return "no difference"


def describe_mismatch(a_image: bytes, ab_image: bytes, s_size: int) -> str:
    """Decode both images and name their first difference; an undecodable AB image is named as such."""
    a_state = decode(a_image, s_size)
    if not ab_image:
        return "AB left no valid S header in the S window"
    try:
        ab_state = decode(ab_image, s_size)
    except SwapvmError as exc:
        return f"AB's S is not canonical: {exc}"
    return first_difference(a_state, ab_state)
