"""A py-evm account database that remembers what a block wrote, so A can rebuild the world state cheaply.

The state trie is keyed by keccak(address), so the addresses and slots of the post-state cannot be
read back from it; instead every write (including writes later reverted) is recorded, and A re-reads
the final values of exactly those accounts and slots.
"""

from __future__ import annotations

from typing import Any

from eth.db.account import AccountDB


class TrackingAccountDB(AccountDB):
    """AccountDB that records written addresses, written storage slots, and storage wipes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written_accounts: set[bytes] = set()
        self.written_slots: dict[bytes, set[int]] = {}
        self.wiped_storage: set[bytes] = set()

    def _set_account(self, address: Any, account: Any) -> None:
        """Record the address, then write the account."""
        self.written_accounts.add(address)
        super()._set_account(address, account)

    def delete_account(self, address: Any) -> None:
        """Record the address, then delete the account."""
        self.written_accounts.add(address)
        super().delete_account(address)

    def set_storage(self, address: Any, slot: int, value: int) -> None:
        """Record the slot, then write it."""
        self.written_accounts.add(address)
        self.written_slots.setdefault(address, set()).add(slot)
        super().set_storage(address, slot, value)

    def _wipe_storage(self, address: Any) -> None:
        """Record that the account's whole storage may have been cleared."""
        self.written_accounts.add(address)
        self.wiped_storage.add(address)
        super()._wipe_storage(address)


def tracking_state_class(state_class: type) -> type:
    """A subclass of a fork's State class whose account database records writes."""
    return type(f"Tracking{state_class.__name__}", (state_class,), {"account_db_class": TrackingAccountDB})
