"""The canonical image of S version 2 (spec §6.2): encode and strict decode; the framing is §4.1's."""

from __future__ import annotations

from fastvm import rlpx
from fastvm.codec import (
    _decode_ancestors,
    _decode_outcome,
    _encode_int,
    _encode_outcome,
    _fail,
    _list,
    _string,
    _uint,
    unframe,
)
from fastvm.header import HeaderRangeError, HeaderShapeError, check_ranges, parse_header
from fastvm.state import UINT64_LIMIT, Fork
from fastvm.state_v2 import (
    FORMAT_VERSION_2,
    PAYLOAD_FIELDS_2,
    ChainConfig,
    EssentialStateV2,
    ForkEntry,
    Inbox,
)

TIMESTAMP_INDEX = 11  # a header's timestamp is its 12th item in every fork


# --- encoding ------------------------------------------------------------------------------


def _encode_config(config: ChainConfig) -> bytes:
    """RLP of [chain_id, [[fork, time, blob target, blob max, blob fraction], ...], deposit_contract]."""
    entries = [
        rlpx.encode_list_payload(
            [
                _encode_int(e.fork),
                _encode_int(e.time),
                _encode_int(e.blob_target),
                _encode_int(e.blob_max),
                _encode_int(e.blob_update_fraction),
            ]
        )
        for e in config.forks
    ]
    return rlpx.encode_list_payload(
        [
            _encode_int(config.chain_id),
            rlpx.encode_list_payload(entries),
            rlpx.encode_bytes(config.deposit_contract),
        ]
    )


def encode_payload_v2(state: EssentialStateV2) -> bytes:
    """The RLP payload of S version 2, items in PAYLOAD_FIELDS_2 order."""
    return rlpx.encode_list_payload(
        [
            _encode_config(state.config),
            rlpx.encode_list_payload(
                [rlpx.encode_bytes(state.inbox.root), _encode_int(state.inbox.length)]
            ),
            _encode_int(state.cursor),
            rlpx.encode_bytes(state.parent_header),
            rlpx.encode_list_payload([rlpx.encode_bytes(h) for h in state.ancestor_hashes]),
            _encode_outcome(state.outcome),
        ]
    )


def encode_v2(state: EssentialStateV2) -> bytes:
    """The S image: u64 LE version 2, u64 LE payload length, payload (padding implicit)."""
    payload = encode_payload_v2(state)
    return FORMAT_VERSION_2.to_bytes(8, "little") + len(payload).to_bytes(8, "little") + payload


# --- decoding ------------------------------------------------------------------------------


def _decode_fork_entry(item: rlpx.Item, where: str) -> ForkEntry:
    """One schedule entry; blob parameters are zero before Cancun and sensible from Cancun on."""
    fields = _list(item, where, 5)
    value = _uint(fields[0], f"{where}.fork")
    if value not in Fork._value2member_map_:
        raise _fail(f"{where}.fork {value} is not 1 (shanghai), 2 (cancun) or 3 (prague)")
    fork = Fork(value)
    time = _uint(fields[1], f"{where}.time", UINT64_LIMIT)
    target, maximum, fraction = (
        _uint(fields[2 + i], f"{where}.{name}", UINT64_LIMIT)
        for i, name in enumerate(("blob_target", "blob_max", "blob_update_fraction"))
    )
    if fork < Fork.CANCUN and (target, maximum, fraction) != (0, 0, 0):
        raise _fail(f"{where}: a {fork.name.lower()} entry has no blob parameters (they must be 0)")
    if fork >= Fork.CANCUN and not (1 <= maximum and target <= maximum and fraction >= 1):
        raise _fail(f"{where}: blob parameters need 1 <= blob_max, blob_target <= blob_max, fraction >= 1")
    return ForkEntry(fork, time, target, maximum, fraction)


def _decode_config(item: rlpx.Item) -> ChainConfig:
    """The chain configuration: chain id >= 1, a schedule ascending in fork and time, the deposit contract."""
    fields = _list(item, "config", 3)
    chain_id = _uint(fields[0], "config.chain_id", UINT64_LIMIT)
    if chain_id == 0:
        raise _fail("config.chain_id must be at least 1")
    entries = [
        _decode_fork_entry(entry, f"config.forks[{i}]")
        for i, entry in enumerate(_list(fields[1], "config.forks"))
    ]
    if not entries:
        raise _fail("config.forks is empty (a chain needs a fork)")
    for i in range(1, len(entries)):
        if entries[i].fork <= entries[i - 1].fork or entries[i].time <= entries[i - 1].time:
            raise _fail(f"config.forks[{i}] is not after the previous entry in both fork and time")
    deposit = _string(fields[2], "config.deposit_contract")
    has_prague = entries[-1].fork >= Fork.PRAGUE
    if len(deposit) != (20 if has_prague else 0):
        need = "20 bytes (the schedule reaches prague)" if has_prague else "empty (no prague in the schedule)"
        raise _fail(f"config.deposit_contract has {len(deposit)} bytes, expected {need}")
    return ChainConfig(chain_id, tuple(entries), deposit)


def header_timestamp(item: rlpx.Item) -> int | None:
    """The timestamp of a decoded header of any fork, or None when the item cannot be a header."""
    if not isinstance(item, list) or len(item) <= TIMESTAMP_INDEX:
        return None
    value = item[TIMESTAMP_INDEX]
    if not isinstance(value, bytes) or value[:1] == b"\x00" or len(value) > 8:
        return None
    return int.from_bytes(value, "big")


def _decode_parent_v2(data: bytes, config: ChainConfig) -> tuple[Fork, dict]:
    """The parent header, checked as a header of the fork active at its own timestamp."""
    try:
        item = rlpx.decode(data, "parent_header")
        timestamp = header_timestamp(item)
        if timestamp is None:
            raise HeaderShapeError("not a header (no uint64 timestamp as item 12)")
        fork = config.fork_at(timestamp)
        if fork is None:
            raise HeaderShapeError(f"timestamp {timestamp} is before the schedule's first fork")
        header = parse_header(item, fork)
        check_ranges(header, fork)
    except (HeaderShapeError, HeaderRangeError, rlpx.RlpError) as exc:
        raise _fail(f"parent_header: {exc}") from exc
    return fork, header.fields


def decode_payload_v2(payload: bytes) -> EssentialStateV2:
    """Decode and validate a version-2 payload (spec §6.2)."""
    try:
        top = rlpx.decode(payload, "payload")
    except rlpx.RlpError as exc:
        raise _fail(str(exc)) from exc
    fields = dict(zip(PAYLOAD_FIELDS_2, _list(top, "payload", len(PAYLOAD_FIELDS_2)), strict=True))
    config = _decode_config(fields["config"])
    inbox_fields = _list(fields["inbox"], "inbox", 2)
    inbox = Inbox(
        _string(inbox_fields[0], "inbox.root", 32), _uint(inbox_fields[1], "inbox.length", UINT64_LIMIT)
    )
    cursor = _uint(fields["cursor"], "cursor", UINT64_LIMIT)
    if cursor > inbox.length:
        raise _fail(f"cursor {cursor} is beyond the inbox of {inbox.length} blocks")
    parent_header = _string(fields["parent_header"], "parent_header")
    _, parent = _decode_parent_v2(parent_header, config)
    ancestors = _decode_ancestors(fields["ancestor_hashes"], parent["number"])
    outcome = _decode_outcome(fields["outcome"], parent_header, parent)
    return EssentialStateV2(config, inbox, parent_header, ancestors, cursor, outcome)


def decode_v2(image: bytes, s_size: int | None = None) -> EssentialStateV2:
    """Decode a version-2 S image (the framing of §4.1 with version 2); canonical only."""
    return decode_payload_v2(unframe(image, FORMAT_VERSION_2, s_size))
