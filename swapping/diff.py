"""The first difference between two essential states, found by decoding both: for mismatch reports."""

from __future__ import annotations

from dataclasses import fields

from emulator.errors import SwapvmError
from fastvm.codec import decode
from fastvm.state import Account, EssentialState


def _account_difference(mine: Account | None, theirs: Account | None, address: bytes) -> str:
    """Which field of one account differs, with both values where they are short."""
    where = f"account 0x{address.hex()}"
    if mine is None or theirs is None:
        return f"{where}: present only in {'AB' if mine is None else 'A'}'s state"
    for name in ("nonce", "balance", "code"):
        a, b = getattr(mine, name), getattr(theirs, name)
        if a != b:
            shown = f"A {a} vs AB {b}" if isinstance(a, int) else f"A {len(a)} bytes vs AB {len(b)} bytes"
            return f"{where}: {name} differs ({shown})"
    slots_a, slots_b = dict(mine.storage), dict(theirs.storage)
    for key in sorted(set(slots_a) | set(slots_b)):
        if slots_a.get(key, 0) != slots_b.get(key, 0):
            a, b = slots_a.get(key, 0), slots_b.get(key, 0)
            return f"{where}: storage slot {key:#x} differs (A {a:#x} vs AB {b:#x})"
    return f"{where} differs"


def first_difference(a: EssentialState, ab: EssentialState) -> str:
    """One line naming the first field (or account field) in which A's and AB's states differ."""
    for item in fields(EssentialState):
        mine, theirs = getattr(a, item.name), getattr(ab, item.name)
        if mine == theirs:
            continue
        if item.name != "accounts":
            return f"{item.name} differs"
        accounts_a = {acc.address: acc for acc in mine}
        accounts_ab = {acc.address: acc for acc in theirs}
        for address in sorted(set(accounts_a) | set(accounts_ab)):
            if accounts_a.get(address) != accounts_ab.get(address):
                return _account_difference(accounts_a.get(address), accounts_ab.get(address), address)
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
