"""What an essential state holds and how two differ: for `swapvm state show/diff` and mismatch reports.

Everything is JSON-ready (hex strings for bytes, ints for numbers) so that one structure feeds the
table, the JSON report and the replay's mismatch detail alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from emulator.merkle import keccak
from fastvm import rlpx
from fastvm.header import parse_header
from fastvm.state import Account, EssentialState

EMPTY_CODE_HASH = keccak(b"")


def hex0x(data: bytes) -> str:
    """Bytes as 0x-prefixed lower-case hex."""
    return "0x" + data.hex()


def account_entry(account: Account, storage: bool) -> dict[str, Any]:
    """One account as JSON: address, nonce, balance, code hash and size, slot count (and slots)."""
    entry: dict[str, Any] = {
        "address": hex0x(account.address),
        "nonce": account.nonce,
        "balance": account.balance,
        "code_hash": hex0x(keccak(account.code)),
        "code_size": len(account.code),
        "storage_slots": len(account.storage),
    }
    if storage:
        entry["storage"] = {hex(key): hex(value) for key, value in account.storage}
    return entry


def world_state_root(state: EssentialState) -> bytes:
    """The Ethereum state root of S's world (py-evm's trie over every account)."""
    from fastvm.world import state_root_of

    return state_root_of(state.accounts)


def header_fields(state: EssentialState) -> dict[str, Any]:
    """The parent header's fields by name (ints, or hex for byte strings)."""
    header = parse_header(rlpx.decode(state.parent_header), state.fork)
    return {name: value if isinstance(value, int) else hex0x(value) for name, value in header.fields.items()}


def outcome_fields(state: EssentialState) -> dict[str, Any]:
    """The outcome record's seven fields."""
    outcome = state.outcome
    return {item.name: _plain(getattr(outcome, item.name)) for item in fields(outcome)}


def _plain(value: Any) -> Any:
    """A field value as JSON: enums by name, bytes as hex, tuples as lists."""
    if hasattr(value, "name") and hasattr(value, "value"):
        return value.name.lower()
    if isinstance(value, bytes):
        return hex0x(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _top_level(state: EssentialState) -> dict[str, Any]:
    """Every field of S but the world, flattened to comparable JSON values."""
    out: dict[str, Any] = {"chain_id": state.chain_id, "fork": state.fork.name.lower(),
                           "cursor": state.cursor, "inbox_blocks": len(state.inbox)}
    for index, raw in enumerate(state.inbox):
        out[f"inbox[{index}]"] = hex0x(keccak(raw))
    out |= {f"parent_header.{name}": value for name, value in header_fields(state).items()}
    out["ancestor_hashes"] = [hex0x(h) for h in state.ancestor_hashes]
    out |= {f"outcome.{name}": value for name, value in outcome_fields(state).items()}
    return out


def _account_change(a: Account | None, b: Account | None) -> dict[str, Any]:
    """How one address differs: present on one side only, or the fields and slots that differ."""
    address = hex0x((a or b).address)  # type: ignore[union-attr]
    if a is None or b is None:
        return {"address": address, "change": "only in second" if a is None else "only in first",
                "account": account_entry(a or b, storage=True)}  # type: ignore[arg-type]
    changed: dict[str, list[Any]] = {}
    for name in ("nonce", "balance"):
        if getattr(a, name) != getattr(b, name):
            changed[name] = [getattr(a, name), getattr(b, name)]
    if a.code != b.code:
        changed["code_hash"] = [hex0x(keccak(a.code)), hex0x(keccak(b.code))]
        changed["code_size"] = [len(a.code), len(b.code)]
    slots_a, slots_b = dict(a.storage), dict(b.storage)
    slots = [{"slot": hex(key), "first": hex(slots_a.get(key, 0)), "second": hex(slots_b.get(key, 0))}
             for key in sorted(set(slots_a) | set(slots_b)) if slots_a.get(key, 0) != slots_b.get(key, 0)]
    return {"address": address, "change": "differs", "fields": changed, "storage": slots}


def diff_accounts(first: Iterable[Account], second: Iterable[Account]) -> list[dict[str, Any]]:
    """Every address whose account differs between two worlds, with the fields and slots that do."""
    accounts_a = {account.address: account for account in first}
    accounts_b = {account.address: account for account in second}
    return [_account_change(accounts_a.get(address), accounts_b.get(address))
            for address in sorted(set(accounts_a) | set(accounts_b))
            if accounts_a.get(address) != accounts_b.get(address)]


def diff_states(first: EssentialState, second: EssentialState) -> dict[str, Any]:
    """Every differing top-level field, account field and storage slot of two states."""
    top_a, top_b = _top_level(first), _top_level(second)
    top = [{"field": name, "first": top_a.get(name), "second": top_b.get(name)}
           for name in dict.fromkeys([*top_a, *top_b]) if top_a.get(name) != top_b.get(name)]
    accounts = diff_accounts(first.accounts, second.accounts)
    return {"equal": not top and not accounts, "fields": top, "accounts": accounts}


def account_difference_lines(first: Iterable[Account], second: Iterable[Account],
                             names: tuple[str, str]) -> list[str]:
    """Every differing account field and slot of two worlds, one line each."""
    return diff_lines({"fields": [], "accounts": diff_accounts(first, second)}, names)


def diff_lines(diff: dict[str, Any], names: tuple[str, str] = ("first", "second")) -> list[str]:
    """The diff as one line per difference (a field, an account field, a slot), unwrapped."""
    one, two = names
    lines = [f"{d['field']}: {one} {d['first']} vs {two} {d['second']}" for d in diff["fields"]]
    for account in diff["accounts"]:
        where = f"account {account['address']}"
        if account["change"] != "differs":
            side = two if account["change"] == "only in second" else one
            lines.append(f"{where}: present only in {side}'s state")
            continue
        for name, (a, b) in account["fields"].items():
            lines.append(f"{where}: {name} {one} {a} vs {two} {b}")
        for slot in account["storage"]:
            slot_text = f"storage slot {slot['slot']} {one} {slot['first']} vs {two} {slot['second']}"
            lines.append(f"{where}: {slot_text}")
    return lines


COLUMN_CAP = 66   # "0x" and a 32-byte hash


def diff_rows(diff: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The diff as table rows (where, what, first, second): a field, an account field, a slot."""
    rows = [("state", d["field"], str(d["first"]), str(d["second"])) for d in diff["fields"]]
    for account in diff["accounts"]:
        where = account["address"]
        if account["change"] != "differs":
            sides = ("present", "absent") if account["change"] == "only in first" else ("absent", "present")
            rows.append((where, "account", *sides))
            continue
        rows += [(where, name, str(a), str(b)) for name, (a, b) in account["fields"].items()]
        rows += [(where, f"slot {slot['slot']}", slot["first"], slot["second"])
                 for slot in account["storage"]]
    return rows


def diff_table(diff: dict[str, Any], names: tuple[str, str] = ("first", "second")) -> list[str]:
    """The diff as an aligned table, one row per difference, never wrapped (hashes stay whole).

    A column is as wide as its widest value up to a 32-byte hash; a longer value (a logs bloom)
    runs on in its own row instead of widening every row."""
    rows = [("where", "what", *names), *diff_rows(diff)]
    widths = [min(max(len(row[i]) for row in rows), COLUMN_CAP) for i in range(3)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
            for row in rows]


def summary_line(differences: list[str] | tuple[str, ...]) -> str:
    """The first difference, and how many more there are (one line for a table or a verdict)."""
    more = len(differences) - 1
    return differences[0] + (f" (and {more} more)" if more > 0 else "")
