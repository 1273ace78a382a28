"""The first difference between two world states, as one line: for conformance and replay reports."""

from __future__ import annotations

from collections.abc import Iterable

from fastvm.state import Account


def _account_difference(mine: Account | None, theirs: Account | None, names: tuple[str, str]) -> str:
    """Which field of one account differs, with both values where they are short."""
    first, second = names
    account = mine or theirs
    assert account is not None
    where = f"account 0x{account.address.hex()}"
    if mine is None or theirs is None:
        return f"{where}: present only in {second if mine is None else first}'s state"
    for name in ("nonce", "balance", "code"):
        a, b = getattr(mine, name), getattr(theirs, name)
        if a != b:
            a_text, b_text = (a, b) if isinstance(a, int) else (f"{len(a)} bytes", f"{len(b)} bytes")
            return f"{where}: {name} differs ({first} {a_text} vs {second} {b_text})"
    slots_a, slots_b = dict(mine.storage), dict(theirs.storage)
    for key in sorted(set(slots_a) | set(slots_b)):
        a, b = slots_a.get(key, 0), slots_b.get(key, 0)
        if a != b:
            return f"{where}: storage slot {key:#x} differs ({first} {a:#x} vs {second} {b:#x})"
    return f"{where} differs"


def first_account_difference(
    mine: Iterable[Account], theirs: Iterable[Account], names: tuple[str, str]
) -> str:
    """The first account (by address) whose nonce, balance, code or a storage slot differs."""
    accounts_a = {account.address: account for account in mine}
    accounts_b = {account.address: account for account in theirs}
    for address in sorted(set(accounts_a) | set(accounts_b)):
        if accounts_a.get(address) != accounts_b.get(address):
            return _account_difference(accounts_a.get(address), accounts_b.get(address), names)
    return "no difference"
