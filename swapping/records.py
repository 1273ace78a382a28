"""Replay records checked on read: a record is a cache entry, never a result until it agrees with its input.

An A record `a/<root(S_t)>` names S_t+1 by its root; an AB record `ab/<image>-a<a>-<root(S_t)>` names
the S image AB left. On read, each is checked against its input and against the images it names
(spec §5.1, the store): the schema, the key it was written under, the named image (present, hashing to
its name), the image being a successor of S_t (same chain and inbox, cursor + 1; a rejection exactly
S_t with the cursor advanced and the recorded code), and the figures (gas, outcome, number, steps,
roots) against that image. A record that fails is named in a one-line warning and recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator import merkle
from emulator.errors import SwapvmError
from fastvm.checks import number_of
from fastvm.codec import decode, encode
from fastvm.header import parse_header
from fastvm.rlpx import decode as rlp_decode
from fastvm.rlpx import encode as rlp_encode
from fastvm.sfiles import AnyState, decode_any
from fastvm.state import MAX_ANCESTORS, EssentialState, Outcome, Status
from fastvm.state_v2 import EssentialStateV2
from swapping.store import Store

Warn = Callable[[str], None]

A_SCHEMA: dict[str, tuple[type, ...]] = {
    "input": (str,), "next": (str,), "index": (int,), "number": (int, type(None)),
    "gas_used": (int,), "outcome": (str,), "seconds": (float, int),
}
AB_SCHEMA: dict[str, tuple[type, ...]] = {
    "input": (str,), "steps": (int,), "status": (str,), "cause": (str,), "tval": (int,),
    "s_root": (str,), "s_image_root": (str,), "machine_root": (str,), "seconds": (float, int),
}
AB_STATUSES = ("yielded", "faulted", "overrun")
# S version 2: both records also name the witness (the digest of its sorted key list) the block needs.
A_SCHEMA_V2 = {**A_SCHEMA, "witness": (str,)}
AB_SCHEMA_V2 = {**AB_SCHEMA, "witness": (str,)}


class RecordProblem(Exception):
    """Why a stored record cannot be used (the text of the warning)."""


def _hex32(record: dict[str, Any], name: str, empty_ok: bool = False) -> bytes:
    """A 32-byte hash field in lower-case hex (or empty where allowed)."""
    value = record[name]
    if empty_ok and value == "":
        return b""
    if len(value) != 64 or value != value.lower():
        raise RecordProblem(f"{name} is not a 32-byte hash in hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise RecordProblem(f"{name} is not a 32-byte hash in hex") from None


def check_schema(record: dict[str, Any], schema: dict[str, tuple[type, ...]]) -> None:
    """Exactly the schema's fields, each of its type (bool is not an int here)."""
    if set(record) != set(schema):
        missing, extra = sorted(set(schema) - set(record)), sorted(set(record) - set(schema))
        raise RecordProblem(f"fields differ from the schema (missing {missing}, unexpected {extra})")
    for name, types in schema.items():
        value = record[name]
        if isinstance(value, bool) or not isinstance(value, types):
            raise RecordProblem(f"{name} has the wrong type ({type(value).__name__})")


def outcome_label(outcome: Outcome) -> str:
    """How a record and the table name an outcome: 'accepted' or 'rejected (label)'."""
    return outcome.status.name.lower() + (f" ({outcome.reason.label})" if outcome.reason else "")


def _chain_of(state: AnyState) -> tuple[object, ...]:
    """What a step never changes: the chain's configuration (or id and fork) and its inbox."""
    if isinstance(state, EssentialStateV2):
        return (2, state.config, state.inbox)
    return (1, state.chain_id, state.fork, state.inbox)


def _successor(state: AnyState, after: AnyState, what: str) -> None:
    """after is a step of state: same version, chain and inbox, cursor + 1."""
    if _chain_of(after) != _chain_of(state) or after.cursor != state.cursor + 1:
        raise RecordProblem(f"{what} is not a successor of the input (another chain, inbox or cursor)")


def _header_of(raw: bytes) -> bytes | None:
    """The exact header RLP inside a raw block, if it has one."""
    try:
        item = rlp_decode(raw)
    except SwapvmError:
        return None
    if not isinstance(item, list) or not item or not isinstance(item[0], list):
        return None
    return rlp_encode(item[0])


def check_a_record(record: dict[str, Any], key: str, state: EssentialState, store: Store,
                   s_size: int) -> EssentialState:
    """S_t+1 of a valid A record for input state (keyed `key`); RecordProblem otherwise."""
    check_schema(record, A_SCHEMA)
    if record["input"] != key:
        raise RecordProblem(f"it was written for input {record['input'][:16]}…, not this one")
    try:
        after = decode(store.get_state(_hex32(record, "next")), s_size)
    except SwapvmError as exc:
        raise RecordProblem(f"its S_t+1 is unusable: {exc}") from None
    _successor(state, after, "its S_t+1")
    raw = state.inbox[state.cursor]
    if record["index"] != state.cursor:
        raise RecordProblem(f"index {record['index']} is not the input's cursor {state.cursor}")
    outcome = after.outcome
    if record["outcome"] != outcome_label(outcome):
        raise RecordProblem(f"outcome {record['outcome']!r} is not S_t+1's ({outcome_label(outcome)})")
    if outcome.status == Status.REJECTED:
        expected = state.with_changes(cursor=state.cursor + 1, outcome=Outcome.rejected(outcome.reason))
        if encode(expected) != encode(after):
            raise RecordProblem("its rejected S_t+1 changes more than the cursor and the outcome")
        figures = (0, number_of(raw, state.fork))
    elif outcome.status == Status.ACCEPTED:
        ancestors = (state.ancestor_hashes + (merkle.keccak(state.parent_header),))[-MAX_ANCESTORS:]
        if after.parent_header != _header_of(raw) or after.ancestor_hashes != ancestors:
            raise RecordProblem("its accepted S_t+1 does not have the block's header on top of the input's")
        figures = (outcome.gas_used, parse_header(rlp_decode(after.parent_header), after.fork).int("number"))
    else:
        raise RecordProblem("its S_t+1 has no outcome")
    if (record["gas_used"], record["number"]) != figures:
        raise RecordProblem(f"gas {record['gas_used']} / number {record['number']} are not S_t+1's {figures}")
    return after


def check_ab_record(record: dict[str, Any], key: str, state: AnyState, store: Store,
                    log2_window: int, window_root: Callable[[bytes], bytes], s_size: int) -> None:
    """Raise RecordProblem unless the AB record is consistent with its input and the image it names."""
    check_schema(record, AB_SCHEMA_V2 if isinstance(state, EssentialStateV2) else AB_SCHEMA)
    if record["input"] != key:
        raise RecordProblem(f"it was written for {record['input']}, not for this window")
    status, steps = record["status"], record["steps"]
    if status not in AB_STATUSES:
        raise RecordProblem(f"status {status!r} is not one of {AB_STATUSES}")
    last = (1 << log2_window) - 1
    if not 1 <= steps <= last or (status == "overrun" and steps != last):
        raise RecordProblem(f"{steps} steps do not fit status {status!r} in a window of 2^{log2_window}")
    if (status == "faulted") != (record["cause"] != ""):
        raise RecordProblem("a fault cause is recorded for a window that did not fault, or none for one")
    s_root = _hex32(record, "s_root")
    if _hex32(record, "machine_root") != window_root(s_root):
        raise RecordProblem("its machine root is not the template's root over its S root")
    image_root = _hex32(record, "s_image_root", empty_ok=True)
    if status != "yielded":
        return
    if image_root != s_root:
        raise RecordProblem("the S image it names is not the S window it records")
    try:
        after = decode_any(store.get_state(image_root), s_size)
    except SwapvmError as exc:
        raise RecordProblem(f"its S image is unusable: {exc}") from None
    _successor(state, after, "the S image it names")


def read_checked(store: Store, kind: str, key: str, check: Callable[[dict[str, Any]], Any],
                 warn: Warn) -> tuple[dict[str, Any], Any] | None:
    """(record, check's answer) for a usable record; None when absent or unusable (with a warning)."""
    try:
        record = store.get_record(kind, key)
    except SwapvmError as exc:
        warn(f"{exc}; recomputing")
        return None
    if record is None:
        return None
    try:
        return record, check(record)
    except RecordProblem as problem:
        warn(f"store {store.root}: record {kind}/{key} is not trusted: {problem}; recomputing")
        return None
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        warn(f"store {store.root}: record {kind}/{key} is malformed ({type(exc).__name__}); recomputing")
        return None
