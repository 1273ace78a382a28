"""A small, strict RLP codec for S (spec §4.2): canonical only, several times faster than pyrlp.

Items are `bytes` or lists of items. `decode` accepts exactly the encodings `encode` produces
and says where and why anything else is refused.
"""

from __future__ import annotations

from emulator.errors import SwapvmError

Item = bytes | list  # a byte string or a list of items


class RlpError(SwapvmError):
    """A byte string that is not one canonical RLP item."""


def _length_prefix(length: int, short_base: int) -> bytes:
    """The prefix of a string (0x80) or list (0xc0) payload of the given length."""
    if length <= 55:
        return bytes((short_base + length,))
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((short_base + 55 + len(size),)) + size


def encode_bytes(data: bytes) -> bytes:
    """Canonical RLP of one byte string."""
    if len(data) == 1 and data[0] < 0x80:
        return data
    return _length_prefix(len(data), 0x80) + data


def encode_list_payload(encoded_items: list[bytes]) -> bytes:
    """Canonical RLP of a list whose items are already encoded."""
    body = b"".join(encoded_items)
    return _length_prefix(len(body), 0xC0) + body


def encode(item: Item) -> bytes:
    """Canonical RLP of a byte string or a (nested) list."""
    if isinstance(item, bytes | bytearray):
        return encode_bytes(bytes(item))
    return encode_list_payload([encode(child) for child in item])


def int_bytes(value: int) -> bytes:
    """The minimal big-endian bytes of a non-negative integer (0 is empty)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _read_length(data: bytes, pos: int, size: int, where: str) -> int:
    """The long-form length that follows a prefix; refuses leading zeros and short lengths."""
    if pos + size > len(data):
        raise RlpError(f"{where}: length field runs past the end")
    field = data[pos : pos + size]
    if field[0] == 0:
        raise RlpError(f"{where}: long-form length has a leading zero byte")
    length = int.from_bytes(field, "big")
    if length <= 55:
        raise RlpError(f"{where}: long form used for a length of {length} (≤ 55)")
    return length


def _decode_at(data: bytes, pos: int, end: int, where: str) -> tuple[Item, int]:
    """Decode one item starting at pos that must end by `end`; return it and the position after it."""
    if pos >= end:
        raise RlpError(f"{where}: missing item (data ends)")
    prefix = data[pos]
    if prefix < 0x80:
        return data[pos : pos + 1], pos + 1
    if prefix < 0xB8:
        length, start = prefix - 0x80, pos + 1
        if length == 1 and start < end and data[start] < 0x80:
            raise RlpError(f"{where}: single byte below 0x80 encoded as a string")
    elif prefix < 0xC0:
        length = _read_length(data, pos + 1, prefix - 0xB7, where)
        start = pos + 1 + prefix - 0xB7
    elif prefix < 0xF8:
        length, start = prefix - 0xC0, pos + 1
    else:
        length = _read_length(data, pos + 1, prefix - 0xF7, where)
        start = pos + 1 + prefix - 0xF7
    stop = start + length
    if stop > end:
        raise RlpError(f"{where}: item of {length} bytes runs past its enclosing item")
    if prefix < 0xC0:
        return data[start:stop], stop
    items: list[Item] = []
    cursor = start
    while cursor < stop:
        child, cursor = _decode_at(data, cursor, stop, f"{where}[{len(items)}]")
        items.append(child)
    return items, stop


def decode(data: bytes, where: str = "rlp") -> Item:
    """Decode exactly one canonical item filling all of data; errors name the path `where[i][j]`."""
    item, stop = _decode_at(data, 0, len(data), where)
    if stop != len(data):
        raise RlpError(f"{where}: {len(data) - stop} trailing bytes after the item")
    return item


def split(data: bytes, where: str = "rlp") -> list[bytes]:
    """The raw encodings of the consecutive canonical items filling data (as `geth export` writes blocks)."""
    items: list[bytes] = []
    pos = 0
    while pos < len(data):
        _, stop = _decode_at(data, pos, len(data), f"{where}[{len(items)}]")
        items.append(data[pos:stop])
        pos = stop
    return items
