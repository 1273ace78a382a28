"""The shapes of spec §4.6.1 (check 1): transactions and withdrawals as RLP structure, before py-evm.

py-evm's decoders are lenient where the spec is not (pyrlp reads a list where an integer belongs as 0,
and a decoded object re-encodes from its cached bytes, so a re-encoding check cannot see it). Machine A
therefore checks every transaction and withdrawal against the spec's table on the strict RLP items of
`fastvm.rlpx`, as the guest does, and only then hands the block to py-evm.
"""

from __future__ import annotations

from fastvm import rlpx
from fastvm.state import Fork

# What each field must be: a uint (a string without a leading zero byte), any string, an address
# string (20 bytes), `to` (empty or 20 bytes), or a list checked by its own rule.
UINT, BYTES, ADDRESS, TO, ACCESS_LIST, HASHES, AUTHORIZATIONS = (
    "uint", "bytes", "address", "to", "access_list", "hashes", "authorizations",
)

LEGACY = (UINT, UINT, UINT, TO, UINT, BYTES, UINT, UINT, UINT)
TYPED: dict[int, tuple[Fork, tuple[str, ...]]] = {
    0x01: (Fork.SHANGHAI, (UINT, UINT, UINT, UINT, TO, UINT, BYTES, ACCESS_LIST, UINT, UINT, UINT)),
    0x02: (Fork.SHANGHAI, (UINT, UINT, UINT, UINT, UINT, TO, UINT, BYTES, ACCESS_LIST, UINT, UINT, UINT)),
    0x03: (Fork.CANCUN, (UINT, UINT, UINT, UINT, UINT, TO, UINT, BYTES, ACCESS_LIST, UINT, HASHES,
                         UINT, UINT, UINT)),
    0x04: (Fork.PRAGUE, (UINT, UINT, UINT, UINT, UINT, TO, UINT, BYTES, ACCESS_LIST, AUTHORIZATIONS,
                         UINT, UINT, UINT)),
}
WITHDRAWAL = (UINT, UINT, ADDRESS, UINT)
AUTHORIZATION = (UINT, ADDRESS, UINT, UINT, UINT, UINT)


class ShapeError(ValueError):
    """An item is not of the shape spec §4.6.1 requires; the message names the part."""


def _is_uint(item: rlpx.Item) -> bool:
    """A structural uint: a string with no leading zero byte (ranges are check 4)."""
    return isinstance(item, bytes) and not item.startswith(b"\x00")


def _access_list_ok(item: rlpx.Item) -> bool:
    """[[address bytes20, [key bytes32, …]], …]."""
    if not isinstance(item, list):
        return False
    for entry in item:
        if not (isinstance(entry, list) and len(entry) == 2):
            return False
        address, keys = entry
        if not (isinstance(address, bytes) and len(address) == 20 and isinstance(keys, list)):
            return False
        if not all(isinstance(key, bytes) and len(key) == 32 for key in keys):
            return False
    return True


def _field_ok(kind: str, item: rlpx.Item) -> bool:
    """Whether one field has its kind's shape."""
    if kind == UINT:
        return _is_uint(item)
    if kind == BYTES:
        return isinstance(item, bytes)
    if kind == ADDRESS:
        return isinstance(item, bytes) and len(item) == 20
    if kind == TO:
        return isinstance(item, bytes) and len(item) in (0, 20)
    if kind == ACCESS_LIST:
        return _access_list_ok(item)
    if kind == HASHES:
        return isinstance(item, list) and all(isinstance(h, bytes) for h in item)
    return isinstance(item, list) and all(_fields_ok(AUTHORIZATION, a) for a in item)


def _fields_ok(kinds: tuple[str, ...], item: rlpx.Item) -> bool:
    """Whether item is a list of exactly these fields."""
    return isinstance(item, list) and len(item) == len(kinds) and all(map(_field_ok, kinds, item))


def check_transaction(item: rlpx.Item, fork: Fork, index: int) -> None:
    """A legacy list, or a string `type ‖ rlp(payload)` of a type the fork knows, with its fields."""
    if isinstance(item, list):
        if not _fields_ok(LEGACY, item):
            raise ShapeError(f"transaction {index} is not a legacy transaction of 9 fields of their kinds")
        return
    if not item or item[0] not in TYPED or fork < TYPED[item[0]][0]:
        kind = f"type {item[0]:#04x}" if item else "an empty string"
        raise ShapeError(f"transaction {index} is {kind}, which {fork.name.lower()} does not know")
    try:
        payload = rlpx.decode(item[1:], f"transaction {index}")
    except rlpx.RlpError as exc:
        raise ShapeError(str(exc)) from exc
    kinds = TYPED[item[0]][1]
    if not _fields_ok(kinds, payload):
        raise ShapeError(f"transaction {index} (type {item[0]:#04x}) is not a list of {len(kinds)} fields "
                         "of their kinds")


def check_withdrawal(item: rlpx.Item, index: int) -> None:
    """[index uint, validator_index uint, address bytes20, amount uint]."""
    if not _fields_ok(WITHDRAWAL, item):
        raise ShapeError(f"withdrawal {index} is not [index, validator_index, address (20 bytes), amount]")


def check_body(transactions: rlpx.Item, withdrawals: rlpx.Item, fork: Fork) -> None:
    """Every transaction and withdrawal of a block body has its shape (spec §4.6.1)."""
    if not isinstance(transactions, list):
        raise ShapeError("transactions is a string, not a list")
    if not isinstance(withdrawals, list):
        raise ShapeError("withdrawals is a string, not a list")
    for index, transaction in enumerate(transactions):
        check_transaction(transaction, fork, index)
    for index, withdrawal in enumerate(withdrawals):
        check_withdrawal(withdrawal, index)
