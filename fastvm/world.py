"""The world state of S inside py-evm's database: load it, and read back the complete post-state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth.db.account import AccountDB
from eth.db.atomic import AtomicDB

from fastvm.state import Account
from fastvm.tracking import TrackingAccountDB


def write_account(account_db: Any, account: Account) -> None:
    """Write one account of S into a py-evm account database (empty accounts exist too)."""
    address = account.address
    account_db.touch_account(address)
    if account.nonce:
        account_db.set_nonce(address, account.nonce)
    if account.balance:
        account_db.set_balance(address, account.balance)
    if account.code:
        account_db.set_code(address, account.code)
    for key, value in account.storage:
        account_db.set_storage(address, key, value)


@dataclass(slots=True)
class World:
    """A world state: py-evm's database holding its trie, its root, and the same accounts as S values.

    The database only grows (py-evm does not delete trie nodes on persist), so a World derived from
    another shares its database and both roots stay readable.
    """

    db: AtomicDB
    root: bytes
    accounts: tuple[Account, ...]
    by_address: dict[bytes, Account]

    @classmethod
    def load(cls, accounts: tuple[Account, ...], db: AtomicDB | None = None) -> World:
        """Write accounts into a (new) database and compute their state root."""
        db = db if db is not None else AtomicDB()
        account_db = AccountDB(db)
        for account in accounts:
            write_account(account_db, account)
        account_db.persist()
        return cls(db, account_db.state_root, accounts, {a.address: a for a in accounts})

    def after_block(self, written: TrackingAccountDB, new_root: bytes) -> World:
        """The world after a block: re-read every account and slot the block wrote, keep the rest."""
        reader = AccountDB(self.db, new_root)
        by_address = dict(self.by_address)
        for address in written.written_accounts:
            if not reader.account_exists(address):
                by_address.pop(address, None)
                continue
            old = self.by_address.get(address)
            slots = written.written_slots.get(address, set())
            by_address[address] = Account(
                address=address,
                nonce=reader.get_nonce(address),
                balance=reader.get_balance(address),
                code=reader.get_code(address),
                storage=self._storage_after(reader, address, old, slots, address in written.wiped_storage),
            )
        accounts = tuple(by_address[a] for a in sorted(by_address))
        return World(self.db, new_root, accounts, by_address)

    @staticmethod
    def _storage_after(
        reader: AccountDB, address: bytes, old: Account | None, slots: set[int], wiped: bool
    ) -> tuple[tuple[int, int], ...]:
        """An account's storage after the block: the old slots updated by the written ones."""
        old_storage = old.storage if old else ()
        if not slots and not wiped:
            return old_storage
        if wiped:
            storage: dict[int, int] = {}
            candidates: Iterable[int] = slots | {key for key, _ in old_storage}
        else:
            storage = dict(old_storage)
            candidates = slots
        for slot in candidates:
            value = reader.get_storage(address, slot)
            if value:
                storage[slot] = value
            else:
                storage.pop(slot, None)
        return tuple(sorted(storage.items()))


def state_root_of(accounts: tuple[Account, ...]) -> bytes:
    """The Ethereum state root of a world state, computed from scratch (for cross-checks)."""
    return World.load(accounts).root
