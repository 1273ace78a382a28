"""The canonical image of S in the S window (spec §4.1–4.4): encode, strict decode, and the S root."""

from __future__ import annotations

from emulator.errors import SwapvmError
from emulator.merkle import keccak, window_root
from fastvm import rlpx
from fastvm.header import HeaderRangeError, HeaderShapeError, check_ranges, parse_header
from fastvm.rlpx import Item, int_bytes
from fastvm.state import (
    FORMAT_VERSION,
    HEADER_BYTES,
    MAX_ANCESTORS,
    PAYLOAD_FIELDS,
    UINT64_LIMIT,
    UINT256_LIMIT,
    Account,
    EssentialState,
    Fork,
    Outcome,
    Reason,
    Status,
)

_EMPTY = rlpx.encode_bytes(b"")


class StateDecodeError(SwapvmError):
    """An S image that is not the canonical encoding of any state."""


# --- encoding ------------------------------------------------------------------------------


def _encode_int(value: int) -> bytes:
    """RLP of a minimal big-endian integer."""
    return rlpx.encode_bytes(int_bytes(value))


def _encode_pair(pair: tuple[int, int]) -> bytes:
    """RLP of one storage entry [key, value]."""
    return rlpx.encode_list_payload([_encode_int(pair[0]), _encode_int(pair[1])])


def _encode_account(account: Account, storage_rlp: list[bytes] | None = None) -> bytes:
    """RLP of one account: [address, nonce, balance, code, [[key, value], ...]] (entries optionally given)."""
    enc, enc_int = rlpx.encode_bytes, _encode_int
    entries = storage_rlp if storage_rlp is not None else [_encode_pair(pair) for pair in account.storage]
    return rlpx.encode_list_payload(
        [
            enc(account.address),
            enc_int(account.nonce),
            enc_int(account.balance),
            enc(account.code),
            rlpx.encode_list_payload(entries),
        ]
    )


def _encode_outcome(outcome: Outcome) -> bytes:
    """RLP of the outcome; non-accepted outcomes carry empty strings after the reason."""
    if outcome.status != Status.ACCEPTED:
        return rlpx.encode_list_payload(
            [_encode_int(outcome.status), _encode_int(outcome.reason)] + [_EMPTY] * 5
        )
    fields = [outcome.state_root, outcome.receipts_root, outcome.logs_bloom, outcome.block_hash]
    return rlpx.encode_list_payload(
        [_encode_int(outcome.status), _EMPTY, _encode_int(outcome.gas_used)]
        + [rlpx.encode_bytes(f) for f in fields]
    )


def _payload(state: EssentialState, accounts_rlp: list[bytes]) -> bytes:
    """The RLP payload of S given its accounts' encodings, items in PAYLOAD_FIELDS order."""
    return rlpx.encode_list_payload(
        [
            _encode_int(state.chain_id),
            _encode_int(state.fork),
            rlpx.encode_list_payload([rlpx.encode_bytes(b) for b in state.inbox]),
            rlpx.encode_list_payload(accounts_rlp),
            _encode_int(state.cursor),
            rlpx.encode_bytes(state.parent_header),
            rlpx.encode_list_payload([rlpx.encode_bytes(h) for h in state.ancestor_hashes]),
            _encode_outcome(state.outcome),
        ]
    )


def _frame(payload: bytes) -> bytes:
    """The image: u64 LE version, u64 LE payload length, payload."""
    return FORMAT_VERSION.to_bytes(8, "little") + len(payload).to_bytes(8, "little") + payload


def encode_payload(state: EssentialState) -> bytes:
    """The RLP payload of S (spec §4.2)."""
    return _payload(state, [account_rlp(a) for a in state.accounts])


def encode(state: EssentialState) -> bytes:
    """The S image up to the payload's end: u64 LE version, u64 LE length, payload (padding implicit)."""
    return _frame(encode_payload(state))


def account_rlp(account: Account) -> bytes:
    """RLP of an account, memoized on the (immutable) Account object."""
    encoded = account.rlp_memo
    if encoded is None:
        encoded = _encode_account(account)
        object.__setattr__(account, "rlp_memo", encoded)
    return encoded


class Encoder:
    """encode(S) for a sequence of states: unchanged accounts are memoized on their objects already; this
    also reuses the entry encodings of large storages (a token's balances) between consecutive states.

    Memory stays bounded by one state: each call keeps only the current large storages' entries.
    """

    LARGE_STORAGE = 64  # accounts with more entries than this cache their entries one by one

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], bytes] = {}

    def encode(self, state: EssentialState) -> bytes:
        """Exactly encode(state), faster when consecutive states share most accounts."""
        old_entries, entries = self._entries, {}
        accounts_rlp = []
        for account in state.accounts:
            encoded = account.rlp_memo
            if encoded is None:
                if len(account.storage) > self.LARGE_STORAGE:
                    storage_rlp = []
                    for pair in account.storage:
                        entry = old_entries.get(pair) or _encode_pair(pair)
                        entries[pair] = entry
                        storage_rlp.append(entry)
                    encoded = _encode_account(account, storage_rlp)
                    object.__setattr__(account, "rlp_memo", encoded)
                else:
                    encoded = account_rlp(account)
            accounts_rlp.append(encoded)
        if entries:
            self._entries = entries
        return _frame(_payload(state, accounts_rlp))


def s_root(state: EssentialState) -> bytes:
    """The S root: the S window's Merkle root with encode(S) at its start, zeros elsewhere."""
    return window_root(encode(state))


def image_root(image: bytes) -> bytes:
    """The S root of an already encoded image."""
    return window_root(image)


# --- decoding ------------------------------------------------------------------------------


def _fail(message: str) -> StateDecodeError:
    """A decode error with the "S: " prefix every message carries."""
    return StateDecodeError(f"S: {message}")


def _string(item: Item, where: str, size: int | None = None) -> bytes:
    """A byte string, optionally of an exact length."""
    if not isinstance(item, bytes):
        raise _fail(f"{where} is a list, expected a string")
    if size is not None and len(item) != size:
        raise _fail(f"{where} has {len(item)} bytes, expected {size}")
    return item


def _uint(item: Item, where: str, limit: int | None = None) -> int:
    """A minimal big-endian integer below limit."""
    data = _string(item, where)
    if data[:1] == b"\x00":
        raise _fail(f"{where} has a leading zero byte (integers are minimal)")
    value = int.from_bytes(data, "big")
    if limit is not None and value >= limit:
        raise _fail(f"{where} = {value} is not below 2^{limit.bit_length() - 1}")
    return value


def _list(item: Item, where: str, length: int | None = None) -> list:
    """A list, optionally of an exact length."""
    if not isinstance(item, list):
        raise _fail(f"{where} is a string, expected a list")
    if length is not None and len(item) != length:
        raise _fail(f"{where} has {len(item)} items, expected {length}")
    return item


def _decode_account(item: Item, where: str) -> Account:
    """One account with its storage sorted strictly by key and no zero values."""
    fields = _list(item, where, 5)
    address = _string(fields[0], f"{where}.address", 20)
    nonce = _uint(fields[1], f"{where}.nonce", UINT64_LIMIT)
    balance = _uint(fields[2], f"{where}.balance", UINT256_LIMIT)
    code = _string(fields[3], f"{where}.code")
    storage: list[tuple[int, int]] = []
    previous = -1
    for index, entry in enumerate(_list(fields[4], f"{where}.storage")):
        slot = f"{where}.storage[{index}]"
        pair = _list(entry, slot, 2)
        key = _uint(pair[0], f"{slot}.key", UINT256_LIMIT)
        value = _uint(pair[1], f"{slot}.value", UINT256_LIMIT)
        if key <= previous:
            raise _fail(f"{slot}.key is not above the previous key (storage must be strictly ascending)")
        if value == 0:
            raise _fail(f"{slot}.value is zero (zero slots are absent)")
        storage.append((key, value))
        previous = key
    return Account(address, nonce, balance, code, tuple(storage))


def _decode_ancestors(item: Item, parent_number: int) -> tuple[bytes, ...]:
    """The ancestor hashes (both versions): min(255, parent number) of them, 32 bytes each."""
    ancestors = tuple(
        _string(h, f"ancestor_hashes[{i}]", 32) for i, h in enumerate(_list(item, "ancestor_hashes"))
    )
    expected = min(MAX_ANCESTORS, parent_number)
    if len(ancestors) != expected:
        raise _fail(
            f"ancestor_hashes has {len(ancestors)} hashes, expected min(255, parent number) = {expected}"
        )
    return ancestors


def _decode_outcome(item: Item, parent_header: bytes, parent: dict) -> Outcome:
    """The outcome; an accepted one must agree with the parent header."""
    fields = _list(item, "outcome", 7)
    try:
        status = Status(_uint(fields[0], "outcome.status"))
    except ValueError as exc:
        raise _fail("outcome.status is not 0, 1 or 2") from exc
    reason_value = _uint(fields[1], "outcome.reason")
    if status != Status.ACCEPTED:
        if status == Status.NONE and reason_value != 0:
            raise _fail("outcome.reason must be 0 when status is none")
        if status == Status.REJECTED and not 1 <= reason_value <= max(Reason):
            raise _fail(f"outcome.reason {reason_value} is not a rejection code 1..{int(max(Reason))}")
        for index, name in enumerate(("gas_used", "state_root", "receipts_root", "logs_bloom", "block_hash")):
            if _string(fields[2 + index], f"outcome.{name}") != b"":
                raise _fail(f"outcome.{name} must be empty unless the block was accepted")
        return Outcome(status=status, reason=Reason(reason_value))
    if reason_value != 0:
        raise _fail("outcome.reason must be 0 when status is accepted")
    outcome = Outcome(
        status=status,
        gas_used=_uint(fields[2], "outcome.gas_used", UINT64_LIMIT),
        state_root=_string(fields[3], "outcome.state_root", 32),
        receipts_root=_string(fields[4], "outcome.receipts_root", 32),
        logs_bloom=_string(fields[5], "outcome.logs_bloom", 256),
        block_hash=_string(fields[6], "outcome.block_hash", 32),
    )
    expected = {
        "gas_used": parent["gas_used"],
        "state_root": parent["state_root"],
        "receipts_root": parent["receipts_root"],
        "logs_bloom": parent["logs_bloom"],
        "block_hash": keccak(parent_header),
    }
    for name, value in expected.items():
        if getattr(outcome, name) != value:
            raise _fail(f"outcome.{name} disagrees with parent_header (an accepted outcome repeats it)")
    return outcome


def _decode_parent(data: bytes, fork: Fork) -> dict:
    """Validate parent_header as a canonical header of the fork; return its fields."""
    try:
        header = parse_header(rlpx.decode(data, "parent_header"), fork)
        check_ranges(header, fork)
    except (HeaderShapeError, HeaderRangeError, rlpx.RlpError) as exc:
        raise _fail(f"parent_header: {exc}") from exc
    return header.fields


def decode_payload(payload: bytes) -> EssentialState:
    """Decode and validate the RLP payload (spec §4.2)."""
    try:
        top = rlpx.decode(payload, "payload")
    except rlpx.RlpError as exc:
        raise _fail(str(exc)) from exc
    fields = dict(zip(PAYLOAD_FIELDS, _list(top, "payload", len(PAYLOAD_FIELDS)), strict=True))
    chain_id = _uint(fields["chain_id"], "chain_id", UINT64_LIMIT)
    if chain_id == 0:
        raise _fail("chain_id must be at least 1")
    fork_value = _uint(fields["fork"], "fork")
    if fork_value not in Fork._value2member_map_:
        raise _fail(f"fork {fork_value} is not 1 (shanghai), 2 (cancun) or 3 (prague)")
    fork = Fork(fork_value)
    inbox = tuple(_string(b, f"inbox[{i}]") for i, b in enumerate(_list(fields["inbox"], "inbox")))
    accounts: list[Account] = []
    for index, item in enumerate(_list(fields["accounts"], "accounts")):
        account = _decode_account(item, f"accounts[{index}]")
        if accounts and account.address <= accounts[-1].address:
            raise _fail(f"accounts[{index}].address is not above the previous address (strictly ascending)")
        accounts.append(account)
    cursor = _uint(fields["cursor"], "cursor", UINT64_LIMIT)
    if cursor > len(inbox):
        raise _fail(f"cursor {cursor} is beyond the inbox of {len(inbox)} blocks")
    parent_header = _string(fields["parent_header"], "parent_header")
    parent = _decode_parent(parent_header, fork)
    ancestors = _decode_ancestors(fields["ancestor_hashes"], parent["number"])
    outcome = _decode_outcome(fields["outcome"], parent_header, parent)
    return EssentialState(chain_id, fork, parent_header, ancestors, tuple(accounts), inbox, cursor, outcome)


def unframe(image: bytes, version: int, s_size: int | None = None) -> bytes:
    """The payload of an image of the given format version (spec §4.1), its framing and padding checked."""
    if len(image) < HEADER_BYTES:
        raise _fail(f"image of {len(image)} bytes is shorter than the 16-byte header")
    found = int.from_bytes(image[0:8], "little")
    if found != version:
        raise _fail(f"format version {found}, expected {version}")
    length = int.from_bytes(image[8:16], "little")
    window = len(image) if s_size is None else s_size
    if len(image) > window:
        raise _fail(f"image of {len(image)} bytes is larger than the S window ({window} bytes)")
    end = HEADER_BYTES + length
    if end > window:
        raise _fail(f"payload length {length} runs past the S window ({window} bytes)")
    if end > len(image):
        raise _fail(f"payload length {length} runs past the {len(image)} bytes given")
    padding = image[end:]
    if padding.count(0) != len(padding):
        offset = end + next(i for i, b in enumerate(padding) if b)
        raise _fail(f"nonzero byte at offset {offset} after the payload (padding must be zero)")
    return image[HEADER_BYTES:end]


def decode(image: bytes, s_size: int | None = None) -> EssentialState:
    """Decode an S image (optionally a whole window of s_size bytes with its zero padding); canonical only."""
    return decode_payload(unframe(image, FORMAT_VERSION, s_size))
