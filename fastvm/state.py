"""The essential state S as typed, immutable values (spec §4): what machine A reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

FORMAT_VERSION = 1
HEADER_BYTES = 16  # u64 version + u64 payload length
MAX_ANCESTORS = 255  # with the parent hash: BLOCKHASH's 256
# The payload's items in order (spec §4.2): large, rarely shifting parts first, small changing ones last.
PAYLOAD_FIELDS = (
    "chain_id",
    "fork",
    "inbox",
    "accounts",
    "cursor",
    "parent_header",
    "ancestor_hashes",
    "outcome",
)
FIELD = {name: index for index, name in enumerate(PAYLOAD_FIELDS)}
UINT64_LIMIT = 1 << 64
UINT256_LIMIT = 1 << 256


class Fork(IntEnum):
    """The fork a state's chain runs under (never changes inside one S)."""

    SHANGHAI = 1
    CANCUN = 2
    PRAGUE = 3


class Status(IntEnum):
    """What happened to the last block A was given."""

    NONE = 0
    ACCEPTED = 1
    REJECTED = 2


class Reason(IntEnum):
    """Why a block was rejected; checked in this order (spec §4.6)."""

    NONE = 0
    MALFORMED = 1
    HEADER_INVALID = 2
    BODY_MISMATCH = 3
    TRANSACTION_INVALID = 4
    GAS_MISMATCH = 5
    RECEIPTS_MISMATCH = 6
    STATE_ROOT_MISMATCH = 7
    STATE_TOO_LARGE = 8
    LIVE_BUDGET = 9

    @property
    def label(self) -> str:
        """The spec's lower-case, dashed name of the code."""
        return self.name.lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Account:
    """One account of the world state; storage is (key, value) pairs sorted by key, no zero values."""

    address: bytes
    nonce: int = 0
    balance: int = 0
    code: bytes = b""
    storage: tuple[tuple[int, int], ...] = ()
    # A memo of this (immutable) account's RLP, filled by the codec; not part of the value.
    rlp_memo: bytes | None = field(default=None, init=False, compare=False, repr=False, hash=False)

    def storage_dict(self) -> dict[int, int]:
        """The storage as a mutable mapping (for building the next state)."""
        return dict(self.storage)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of the last step: accepted with the block's commitments, rejected with a reason, or none."""

    status: Status = Status.NONE
    reason: Reason = Reason.NONE
    gas_used: int = 0
    state_root: bytes = b""
    receipts_root: bytes = b""
    logs_bloom: bytes = b""
    block_hash: bytes = b""

    @classmethod
    def rejected(cls, reason: Reason) -> Outcome:
        """The canonical outcome of a rejected block: only status and reason are set."""
        return cls(status=Status.REJECTED, reason=reason)


@dataclass(frozen=True, slots=True)
class EssentialState:
    """S: chain configuration, parent header, recent hashes, world state, inbox with cursor, last outcome."""

    chain_id: int
    fork: Fork
    parent_header: bytes
    ancestor_hashes: tuple[bytes, ...] = ()
    accounts: tuple[Account, ...] = ()
    inbox: tuple[bytes, ...] = ()
    cursor: int = 0
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def pending(self) -> int:
        """How many inbox blocks A has not applied yet."""
        return len(self.inbox) - self.cursor

    def account_map(self) -> dict[bytes, Account]:
        """The world state keyed by address."""
        return {account.address: account for account in self.accounts}

    def with_changes(self, **changes: object) -> EssentialState:
        """A copy with some fields replaced (S is immutable)."""
        return replace(self, **changes)
