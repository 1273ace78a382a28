"""A's replay record on S version 2, checked on read (spec §5.1, the store; §6.5).

As in version 1 (swapping/records.py) the record `a/<root(S_t)>` names S_t+1 by its root and is
checked against S_t and that image; in version 2 the block is read through the inbox trie in the
preimage store, and the record also names the block's witness by digest: the key list must exist,
hash to its digest and have every preimage in the store. Whether the witness is *complete* no check
can see without re-running A; a worker that lacks a key stops naming it, and the replay then
re-records the block (swapping/replay_v2.py), never reporting a result.
"""

from __future__ import annotations

from typing import Any

from emulator import merkle
from emulator.errors import SwapvmError
from fastvm import rlpx
from fastvm.checks import number_of
from fastvm.codec_v2 import decode_v2, encode_v2, header_timestamp
from fastvm.header import parse_header
from fastvm.inbox_trie import InboxTrie
from fastvm.preimages import BlockView, MissingPreimage, PreimageStore
from fastvm.state import MAX_ANCESTORS, Fork, Outcome, Status
from fastvm.state_v2 import EssentialStateV2
from swapping.records import (
    A_SCHEMA_V2,
    RecordProblem,
    _header_of,
    _hex32,
    _successor,
    check_schema,
    outcome_label,
)
from swapping.store import Store
from swapping.sv2 import split_keys


def block_fork(state: EssentialStateV2, raw: bytes) -> Fork:
    """The fork of the block at S's cursor (spec §6.3): its timestamp's, else the parent's."""
    try:
        item = rlpx.decode(raw)
        header = item[0] if isinstance(item, list) and item else None
    except SwapvmError:
        header = None
    timestamp = header_timestamp(header) if header is not None else None
    fork = state.config.fork_at(timestamp) if timestamp is not None else None
    if fork is None:
        parent = header_timestamp(rlpx.decode(state.parent_header)) or 0
        fork = state.config.fork_at(parent)
    assert fork is not None   # decode_v2 refused a parent before the schedule
    return fork


def inbox_raw(state: EssentialStateV2, preimages: PreimageStore) -> bytes:
    """Block `cursor` read through the inbox trie in the store."""
    return InboxTrie(BlockView(preimages), state.inbox).block(state.cursor)  # type: ignore[arg-type]


def check_witness(record: dict[str, Any], store: Store, preimages: PreimageStore) -> bytes:
    """The witness key list a record names: present, hashing to its digest, every preimage stored."""
    digest = record["witness"]
    _hex32(record, "witness")
    try:
        keys = store.get_witness(digest)
        for key in split_keys(keys):
            if preimages.get(key) is None:
                raise MissingPreimage(key)
    except SwapvmError as exc:
        raise RecordProblem(f"its witness is unusable: {exc}") from None
    return keys


def check_a_record_v2(record: dict[str, Any], key: str, state: EssentialStateV2, store: Store,
                      preimages: PreimageStore, s_size: int) -> tuple[EssentialStateV2, bytes]:
    """(S_t+1, the witness keys) of a valid version 2 A record for input S_t; RecordProblem otherwise."""
    check_schema(record, A_SCHEMA_V2)
    if record["input"] != key:
        raise RecordProblem(f"it was written for input {record['input'][:16]}…, not this one")
    try:
        after = decode_v2(store.get_state(_hex32(record, "next")), s_size)
        raw = inbox_raw(state, preimages)
    except SwapvmError as exc:
        raise RecordProblem(f"its S_t+1 is unusable: {exc}") from None
    _successor(state, after, "its S_t+1")
    if record["index"] != state.cursor:
        raise RecordProblem(f"index {record['index']} is not the input's cursor {state.cursor}")
    outcome = after.outcome
    if record["outcome"] != outcome_label(outcome):
        raise RecordProblem(f"outcome {record['outcome']!r} is not S_t+1's ({outcome_label(outcome)})")
    fork = block_fork(state, raw)
    if outcome.status == Status.REJECTED:
        expected = state.with_changes(cursor=state.cursor + 1, outcome=Outcome.rejected(outcome.reason))
        if encode_v2(expected) != encode_v2(after):
            raise RecordProblem("its rejected S_t+1 changes more than the cursor and the outcome")
        figures = (0, number_of(raw, fork))
    elif outcome.status == Status.ACCEPTED:
        ancestors = (state.ancestor_hashes + (merkle.keccak(state.parent_header),))[-MAX_ANCESTORS:]
        if after.parent_header != _header_of(raw) or after.ancestor_hashes != ancestors:
            raise RecordProblem("its accepted S_t+1 does not have the block's header on top of the input's")
        figures = (outcome.gas_used, parse_header(rlpx.decode(after.parent_header), fork).int("number"))
    else:
        raise RecordProblem("its S_t+1 has no outcome")
    if (record["gas_used"], record["number"]) != figures:
        raise RecordProblem(f"gas {record['gas_used']} / number {record['number']} are not S_t+1's {figures}")
    return after, check_witness(record, store, preimages)
