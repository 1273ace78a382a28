"""Block headers as plain field lists (spec §4.3): shape and range checks without py-evm."""

from __future__ import annotations

from dataclasses import dataclass

from fastvm.rlpx import Item
from fastvm.state import UINT64_LIMIT, UINT256_LIMIT, Fork

# (name, kind): kind is a byte count for fixed strings, "int64"/"int256" for bounded uints, "bytes" for any.
SHANGHAI_FIELDS: tuple[tuple[str, int | str], ...] = (
    ("parent_hash", 32),
    ("ommers_hash", 32),
    ("coinbase", 20),
    ("state_root", 32),
    ("transactions_root", 32),
    ("receipts_root", 32),
    ("logs_bloom", 256),
    ("difficulty", "int256"),
    ("number", "int64"),
    ("gas_limit", "int64"),
    ("gas_used", "int64"),
    ("timestamp", "int64"),
    ("extra_data", "bytes"),
    ("mix_hash", 32),
    ("nonce", 8),
    ("base_fee_per_gas", "int256"),
    ("withdrawals_root", 32),
)
CANCUN_FIELDS = SHANGHAI_FIELDS + (
    ("blob_gas_used", "int64"),
    ("excess_blob_gas", "int64"),
    ("parent_beacon_block_root", 32),
)
PRAGUE_FIELDS = CANCUN_FIELDS + (("requests_hash", 32),)
HEADER_FIELDS = {Fork.SHANGHAI: SHANGHAI_FIELDS, Fork.CANCUN: CANCUN_FIELDS, Fork.PRAGUE: PRAGUE_FIELDS}
_LIMITS = {"int64": UINT64_LIMIT, "int256": UINT256_LIMIT}


class HeaderShapeError(ValueError):
    """The item is not a header of the fork (wrong item count, a list where a string belongs, bad length)."""


class HeaderRangeError(ValueError):
    """A header integer is outside its range."""


@dataclass(frozen=True, slots=True)
class Header:
    """A decoded header: its fields by name (ints for integer fields, bytes otherwise)."""

    fields: dict[str, int | bytes]

    def __getitem__(self, name: str) -> int | bytes:
        """A field by name."""
        return self.fields[name]

    def int(self, name: str) -> int:
        """An integer field."""
        value = self.fields[name]
        assert isinstance(value, int)
        return value

    def bytes(self, name: str) -> bytes:
        """A byte-string field."""
        value = self.fields[name]
        assert isinstance(value, bytes)
        return value


def parse_header(item: Item, fork: Fork) -> Header:
    """Check a decoded RLP item's shape against the fork's header and convert it (ranges not checked)."""
    schema = HEADER_FIELDS[fork]
    if not isinstance(item, list):
        raise HeaderShapeError("header is a string, not a list")
    if len(item) != len(schema):
        raise HeaderShapeError(
            f"header has {len(item)} items, a {fork.name.lower()} header has {len(schema)}"
        )
    fields: dict[str, int | bytes] = {}
    for (name, kind), value in zip(schema, item, strict=True):
        if not isinstance(value, bytes):
            raise HeaderShapeError(f"header field {name} is a list")
        if isinstance(kind, int):
            if len(value) != kind:
                raise HeaderShapeError(f"header field {name} has {len(value)} bytes, expected {kind}")
            fields[name] = value
        elif kind == "bytes":
            fields[name] = value
        else:
            if value[:1] == b"\x00":
                raise HeaderShapeError(f"header field {name} has a leading zero byte")
            fields[name] = int.from_bytes(value, "big")
    return Header(fields)


def check_ranges(header: Header, fork: Fork) -> None:
    """Refuse integer fields beyond their bounds (uint64 / uint256)."""
    for name, kind in HEADER_FIELDS[fork]:
        limit = _LIMITS.get(kind) if isinstance(kind, str) else None
        if limit is not None and header.int(name) >= limit:
            raise HeaderRangeError(
                f"header field {name} = {header.int(name)} is not below 2^{limit.bit_length() - 1}"
            )
