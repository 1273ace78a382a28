"""S version 2 as typed, immutable values (spec §6): commitments only; world and inbox live in the oracle."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from fastvm.state import Fork, Outcome

FORMAT_VERSION_2 = 2
PAYLOAD_FIELDS_2 = ("config", "inbox", "cursor", "parent_header", "ancestor_hashes", "outcome")
# EIP-4844 (Cancun) and EIP-7691 (Prague) defaults: target and maximum blobs, base fee update fraction.
DEFAULT_BLOBS = {Fork.CANCUN: (3, 6, 3338477), Fork.PRAGUE: (6, 9, 5007716)}


@dataclass(frozen=True, slots=True)
class ForkEntry:
    """One step of the fork schedule: `fork` is active from `time` on, with its blob parameters."""

    fork: Fork
    time: int
    blob_target: int = 0
    blob_max: int = 0
    blob_update_fraction: int = 0

    @classmethod
    def with_defaults(cls, fork: Fork, time: int) -> ForkEntry:
        """An entry with the fork's mainnet blob parameters (none before Cancun)."""
        return cls(fork, time, *DEFAULT_BLOBS.get(fork, (0, 0, 0)))


@dataclass(frozen=True, slots=True)
class ChainConfig:
    """What a geth-style genesis configures: the chain id, the fork schedule, Prague's deposit contract."""

    chain_id: int
    forks: tuple[ForkEntry, ...]
    deposit_contract: bytes = b""

    def fork_at(self, timestamp: int) -> Fork | None:
        """The fork active at `timestamp`: the last entry at or before it (None before the first)."""
        active = None
        for entry in self.forks:
            if entry.time > timestamp:
                break
            active = entry.fork
        return active

    def entry_at(self, timestamp: int) -> ForkEntry | None:
        """The schedule entry active at `timestamp`, with its blob parameters."""
        active = None
        for entry in self.forks:
            if entry.time > timestamp:
                break
            active = entry
        return active


@dataclass(frozen=True, slots=True)
class Inbox:
    """The inbox's commitment: the root of the trie rlp(i) -> raw block i, and how many blocks it holds."""

    root: bytes
    length: int


@dataclass(frozen=True, slots=True)
class EssentialStateV2:
    """S version 2: configuration, inbox commitment, cursor, parent header, recent hashes, last outcome."""

    config: ChainConfig
    inbox: Inbox
    parent_header: bytes
    ancestor_hashes: tuple[bytes, ...] = ()
    cursor: int = 0
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def pending(self) -> int:
        """How many inbox blocks A has not applied yet."""
        return self.inbox.length - self.cursor

    def with_changes(self, **changes: object) -> EssentialStateV2:
        """A copy with some fields replaced (S is immutable)."""
        return replace(self, **changes)
