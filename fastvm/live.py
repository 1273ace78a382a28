"""Machine A's half of the live-byte budget (spec §4.9, reason code 9), hooked into py-evm.

A block whose count of EVM-level live bytes passes the budget is refused, by A and by the guest
(guest/src/evm/live.c), from the same quantities and the same weights: never the guest's allocator.
The count is a sum of four monotone terms, checked at every increase:

* LIVE_MEMORY_WORD x the most memory words live at once on the call stack, a frame's words being
  those its opcodes have read or written (memory paid for but never touched holds nothing; a call's
  input is read by the callee in place, so it is not a read of the caller's);
* LIVE_RETURN_BYTE x the largest return data (a RETURN/REVERT's size, a precompile's input,
  MODEXP's declared modulus length below 1 MiB);
* the kept bytes of the block: logs, deposited code, cold accesses of accounts and slots, MODEXP
  outputs of 1 MiB and more, transient slots (EIP-1153) new in their transaction;
* the most journal bytes of one transaction: messages (more with value), nonce increments,
  value-changing SSTOREs, SELFDESTRUCTs, TSTOREs.

On S version 2 (the world read through the oracle) the kept bytes also hold, per account or slot
first touched in the block (a transaction's own accounts, an EIP-2929 opcode's access, SLOAD, SSTORE,
a creation's address, a withdrawal's recipient; not the warming of the precompiles or of an access
list's entries), LIVE_TRIE_NODE per node on its lookup path in the pre-state trie
(fastvm/live_trie.py), and per code first read in the block, LIVE_CODE_READ and 9/8 of its length.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastvm.corrections import SYSTEM_ADDRESS
from fastvm.live_trie import PathCounter

LIVE_BUDGET = 256 << 20
# Weights in bytes: the same constants as guest/src/evm/live.h (a test parses it).
LIVE_MEMORY_WORD = 40
LIVE_RETURN_BYTE = 8
LIVE_LOG = 160
LIVE_LOG_TOPIC = 160
LIVE_LOG_BYTE = 4
LIVE_CODE = 64
LIVE_CODE_BYTE = 2
LIVE_COLD_ACCOUNT = 1024
LIVE_COLD_SLOT = 512
LIVE_MESSAGE = 64
LIVE_VALUE_TRANSFER = 96
LIVE_NONCE = 48
LIVE_SLOT_WRITE = 48
LIVE_SELFDESTRUCT = 256
LIVE_MODEXP_KEEP = 1 << 20
LIVE_TRANSIENT_SLOT = 160
LIVE_TRANSIENT_WRITE = 48
LIVE_TRIE_NODE = 2048          # S version 2 only: a node on a first touch's pre-state path
LIVE_CODE_READ = 64            # S version 2 only: a code read through the oracle, first in the block
LIVE_CODE_READ_EIGHTHS = 9     # per byte, in eighths: the code and its jump table
MODEXP = (5).to_bytes(20, "big")
SSTORE, EXTCODECOPY = 0x55, 0x3C
CALLS = (0xF1, 0xF2, 0xF4, 0xFA)  # CALL, CALLCODE, DELEGATECALL, STATICCALL


class LiveBudgetExceeded(Exception):
    """The block's live-byte count passed the budget: A refuses it with reason 9 (not a VMError,
    so that no py-evm frame takes it for an exceptional halt)."""


class LiveCount:
    """The four terms of one block's count and their sum."""

    __slots__ = ("budget", "total", "words", "words_peak", "returned", "journal_bytes", "journal_peak",
                 "deferred", "transient", "uncounted", "prewarming", "paths", "warmed", "path_accounts",
                 "path_slots", "code_read", "code_changed")

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.total = self.words = self.words_peak = self.returned = 0
        self.journal_bytes = self.journal_peak = 0
        self.deferred = False  # a transaction's start: checked once its message runs (check 4 first)
        self.transient: set[tuple[bytes, int]] = set()  # (address, key) TSTOREd in this transaction
        self.uncounted: bytes | None = None  # an account py-evm warms where the guest does not
        self.prewarming = False  # py-evm warms an access list's entries: a cold access, not a touch
        self.paths: PathCounter | None = None  # S version 2: the pre-state trie's lookup paths
        self.warmed: set[bytes] = set()          # accounts made warm (a cold access) in this block
        self.path_accounts: set[bytes] = set()   # accounts whose path is counted in this block
        self.path_slots: set[tuple[bytes, int]] = set()
        self.code_read: set[bytes] = set()       # accounts whose code was read in this block
        self.code_changed: set[bytes] = set()    # accounts whose code was set or deleted in it

    def _add(self, amount: int) -> None:
        """Add to the sum; past the budget, refuse (unless the transaction's start is deferred)."""
        self.total += amount
        if self.total > self.budget and not self.deferred:
            raise LiveBudgetExceeded(f"{self.total} live bytes, the budget is {self.budget}")

    def settle(self) -> None:
        """End a deferred stretch: check what it added."""
        self.deferred = False
        self._add(0)

    def memory(self, words: int) -> None:
        """A frame's memory grew by `words` words."""
        self.words += words
        if self.words > self.words_peak:
            self._add(LIVE_MEMORY_WORD * (self.words - self.words_peak))
            self.words_peak = self.words

    def frame_end(self, words: int, returned: int) -> None:
        """A frame of `words` words of memory ended with `returned` bytes of output."""
        self.words -= words
        self.returns(returned)

    def returns(self, size: int) -> None:
        """A return data (or precompile input) of `size` bytes."""
        if size > self.returned:
            self._add(LIVE_RETURN_BYTE * (size - self.returned))
            self.returned = size

    def keep(self, amount: int) -> None:
        """Bytes kept to the block's end."""
        self._add(amount)

    def journal(self, amount: int) -> None:
        """Journal bytes of the current transaction."""
        self.journal_bytes += amount
        if self.journal_bytes > self.journal_peak:
            self._add(self.journal_bytes - self.journal_peak)
            self.journal_peak = self.journal_bytes

    def tstore(self, address: bytes, slot: int) -> None:
        """A TSTORE that writes: kept bytes for an (address, key) new in the transaction (its entry,
        never given back, not even when its frame reverts), and a journal entry."""
        if (address, slot) not in self.transient:
            self.transient.add((address, slot))
            self.keep(LIVE_TRANSIENT_SLOT)
        self.journal(LIVE_TRANSIENT_WRITE)

    def cold_account(self, address: bytes) -> None:
        """An account's cold access (its warm-set entry)."""
        self.warmed.add(address)
        self.keep(LIVE_COLD_ACCOUNT)

    def cold_slot(self, address: bytes, slot: int) -> None:
        """A slot's cold access (its warm-set entry)."""
        self.keep(LIVE_COLD_SLOT)

    def touch_account(self, address: bytes) -> None:
        """Version 2: an account touched (the guest reads it); its lookup path, first time in the block."""
        if self.paths is not None and address not in self.path_accounts:
            self.path_accounts.add(address)
            self.keep(LIVE_TRIE_NODE * self.paths.account(address))

    def touch_slot(self, address: bytes, slot: int) -> None:
        """Version 2: a slot touched by SLOAD or SSTORE; its lookup path, the first time in the block."""
        if self.paths is not None and (address, slot) not in self.path_slots:
            self.path_slots.add((address, slot))
            self.keep(LIVE_TRIE_NODE * self.paths.slot(address, slot))

    def code(self, address: bytes, code: bytes) -> None:
        """Version 2: the code of `address` read as the block found it, the first time (the guest reads
        it through the oracle then, and never for code set or deleted in the block)."""
        if self.paths is None or not code or address in self.code_read or address in self.code_changed:
            return
        self.code_read.add(address)
        self.keep(LIVE_CODE_READ + (LIVE_CODE_READ_EIGHTHS * len(code) + 7) // 8)

    def begin_transaction(self, precompiles: tuple[bytes, ...]) -> None:
        """A valid transaction starts: a fresh journal; the precompiles are warmed (cold accesses)."""
        self.journal_bytes = 0
        self.transient.clear()
        self.deferred = True
        for address in precompiles:
            self.cold_account(address)


def _word(value: int | bytes) -> int:
    """A stack item as an integer (py-evm keeps ints or bytes)."""
    return value if isinstance(value, int) else int.from_bytes(value, "big")


def _sstore(original: Callable[..., Any]) -> Callable[..., Any]:
    """SSTORE counting its slot write; its touch, and its cold access when py-evm fails before it
    marks the slot warm, where the guest makes them (at the start, after the static and stipend checks)."""

    def sstore(computation: Any) -> None:
        """py-evm's SSTORE with the live count."""
        values = computation._stack.values
        if computation.msg.is_static or len(values) < 2 or computation.get_gas_remaining() <= 2300:
            return original(computation=computation)
        state, address = computation.state, computation.msg.storage_address
        slot, value = _word(values[-1]), _word(values[-2])
        state.live.touch_slot(address, slot)
        cold = not state.is_storage_warm(address, slot)
        current = state.get_storage(address, slot)
        try:
            original(computation=computation)
        except Exception:
            if cold and not state.is_storage_warm(address, slot):
                state.live.cold_slot(address, slot)
            raise
        if value != current:
            state.live.journal(LIVE_SLOT_WRITE)

    return sstore


def _extcodecopy(original: Callable[..., Any]) -> Callable[..., Any]:
    """EXTCODECOPY with its touch, and its cold access when py-evm fails (its memory expansion comes
    first) before it marks the account warm, counted at its start, as the guest makes them."""

    def extcodecopy(computation: Any) -> None:
        """py-evm's EXTCODECOPY with the live count."""
        values = computation._stack.values
        if len(values) < 4:
            return original(computation=computation)
        state = computation.state
        address = _word(values[-1]).to_bytes(32, "big")[12:]
        start, size = _word(values[-2]), _word(values[-4])
        state.live.touch_account(address)
        cold = not state.is_address_warm(address)
        computation._live_quiet = True  # py-evm writes memory before it charges: touched on success
        try:
            original(computation=computation)
        except Exception:
            if cold and not state.is_address_warm(address):
                state.live.cold_account(address)
            raise
        finally:
            computation._live_quiet = False
        computation.touch(start, size)

    return extcodecopy


def _call(original: Callable[..., Any]) -> Callable[..., Any]:
    """A CALL-family opcode whose read of its input does not touch memory (the callee reads it in place)."""

    def call(computation: Any) -> None:
        """py-evm's call with its input read quietly."""
        computation._live_reads_quiet = True
        try:
            original(computation=computation)
        finally:
            computation._live_reads_quiet = False

    return call


def live_computation_class(base: type) -> type:
    """The fork's computation class counting memory, return data, logs, messages and SELFDESTRUCTs."""
    opcodes = dict(base.opcodes)
    opcodes[SSTORE] = _sstore(opcodes[SSTORE])
    opcodes[EXTCODECOPY] = _extcodecopy(opcodes[EXTCODECOPY])
    for op in CALLS:
        opcodes[op] = _call(opcodes[op])
    precompiles = frozenset(base.get_precompiles())

    class LiveComputation(base):  # type: ignore[misc, valid-type]
        """A computation that reports its live bytes to its state's LiveCount."""

        _live_words = 0             # the words of memory this frame's opcodes have touched
        _live_quiet = False         # inside an opcode that counts its own touches
        _live_reads_quiet = False   # inside a call: its input is not touched

        def touch(self, start: int, size: int) -> None:
            """Memory [start, start + size) is read or written: count the words that are new."""
            if size and not self._live_quiet:
                words = (start + size + 31) >> 5
                if words > self._live_words:
                    self.state.live.memory(words - self._live_words)
                    self._live_words = words

        def memory_write(self, start_position: int, size: int, value: bytes) -> None:
            """Count the touch, then write."""
            self.touch(start_position, size)
            super().memory_write(start_position, size, value)

        def memory_read_bytes(self, start_position: int, size: int) -> bytes:
            """Count the touch (not a call's input), then read."""
            if not self._live_reads_quiet:
                self.touch(start_position, size)
            return super().memory_read_bytes(start_position, size)

        def memory_copy(self, destination: int, source: int, length: int) -> None:
            """Count both ranges (MCOPY), then copy."""
            self.touch(max(destination, source), length)
            super().memory_copy(destination, source, length)

        def add_log_entry(self, account: bytes, topics: tuple[int, ...], data: bytes) -> None:
            """Count a log (kept to the block's end, even if its frame reverts), then record it."""
            self.state.live.keep(LIVE_LOG + LIVE_LOG_TOPIC * len(topics) + LIVE_LOG_BYTE * len(data))
            super().add_log_entry(account, topics, data)

        def register_account_for_deletion(self, beneficiary: bytes) -> None:
            """Count a SELFDESTRUCT's journal bytes, then register it."""
            self.state.live.journal(LIVE_SELFDESTRUCT)
            super().register_account_for_deletion(beneficiary)

        def __init__(self, state: Any, message: Any, transaction_context: Any) -> None:
            """py-evm's frame (the first one ends the warming of the access list); in the EIP-4788 system
            call its warming of the coinbase (EIP-3651, which execution-specs and the guest do only for
            transactions) is not a cold access."""
            state.live.prewarming = False
            if transaction_context.origin == SYSTEM_ADDRESS:
                state.live.uncounted = state.coinbase
            try:
                super().__init__(state, message, transaction_context)
            finally:
                state.live.uncounted = None

        @classmethod
        def apply_message(cls, state: Any, message: Any, transaction_context: Any,
                          parent_computation: Any = None) -> Any:
            """Count a message (more if it moves value), then apply it."""
            live = state.live
            live.deferred = False
            moves_value = message.should_transfer_value and message.value
            live.journal(LIVE_MESSAGE + (LIVE_VALUE_TRANSFER if moves_value else 0))
            return super().apply_message(state, message, transaction_context, parent_computation)

        @classmethod
        def apply_computation(cls, state: Any, message: Any, transaction_context: Any,
                              parent_computation: Any = None) -> Any:
            """Run the code (or precompile) of a message and count its memory and output."""
            live = state.live
            if message.is_create or message.code_address not in precompiles:
                computation = super().apply_computation(state, message, transaction_context,
                                                        parent_computation)
                live.frame_end(computation._live_words, len(computation.output))
                return computation
            data = message.data_as_bytes
            live.returns(len(data))
            modexp = message.code_address == MODEXP
            if modexp:
                declared = int.from_bytes(data[64:96].ljust(32, b"\0"), "big")
                live.returns(declared if declared < LIVE_MODEXP_KEEP else 0)
            computation = super().apply_computation(state, message, transaction_context, parent_computation)
            if modexp and not computation.is_error and len(computation.output) >= LIVE_MODEXP_KEEP:
                live.keep(len(computation.output))
            return computation

    LiveComputation.opcodes = opcodes
    LiveComputation.__name__ = f"Live{base.__name__}"
    return LiveComputation


def live_state_class(base: type, budget: int) -> type:
    """A subclass of a fork's State class that counts its block's live bytes against `budget`."""
    computation_class = live_computation_class(base.computation_class)
    precompiles = tuple(base.computation_class.get_precompiles())

    class LiveExecutor(base.transaction_executor_class):  # type: ignore[misc, name-defined]
        """Starts each valid transaction's count (the precompiles are warm from its start)."""

        def build_evm_message(self, transaction: Any) -> Any:
            """After validation: a fresh journal, then py-evm's message (the sender's nonce)."""
            self.vm_state.live.begin_transaction(precompiles)
            return super().build_evm_message(transaction)

        def build_computation(self, message: Any, transaction: Any) -> Any:
            """The transaction's own accounts are touched (sender, recipient or created address, coinbase:
            the guest reads each); py-evm's warming of them and of the access list follows, then its
            first frame (LiveComputation.__init__ ends the warming)."""
            state = self.vm_state
            for address in (transaction.sender, message.storage_address, state.coinbase):
                state.live.touch_account(address)
            state.live.prewarming = True
            try:
                return super().build_computation(message, transaction)
            finally:
                state.live.prewarming = False

    class LiveState(base):  # type: ignore[misc, valid-type]
        """A fork's State with a LiveCount per block."""

        transaction_executor_class = LiveExecutor
        live_budget = budget

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.live = LiveCount(self.live_budget)  # first: py-evm's Cancun __init__ may set code
            db, state_root = args[0], args[2]
            if getattr(db, "live_paths", False):   # S version 2's block view (fastvm/witness.py)
                self.live.paths = PathCounter(db, state_root)
            super().__init__(*args, **kwargs)

        def apply_transaction(self, transaction: Any) -> Any:
            """py-evm's transaction, then a check of what its start added (if no message ran)."""
            result = super().apply_transaction(transaction)
            self.live.settle()
            return result

        def is_address_warm(self, address: bytes) -> bool:
            """py-evm asks only for an EIP-2929 opcode's access (BALANCE, EXTCODE*, the calls, SELFDESTRUCT):
            a touch, warm or not (a precompile or an access list's entry is warm)."""
            self.live.touch_account(address)
            return super().is_address_warm(address)

        def is_storage_warm(self, address: bytes, slot: int) -> bool:
            """py-evm asks only for SLOAD's and SSTORE's access: a touch, warm or not."""
            self.live.touch_slot(address, slot)
            return super().is_storage_warm(address, slot)

        def mark_address_warm(self, address: bytes) -> None:
            """A cold access of an account is kept bytes; unless in the warming of the access list, a
            touch (a creation's address, which py-evm marks without asking; the coinbase)."""
            live = self.live
            if address != live.uncounted:
                if not super().is_address_warm(address):
                    live.cold_account(address)
                if not live.prewarming:
                    live.touch_account(address)
            super().mark_address_warm(address)

        def mark_storage_warm(self, address: bytes, slot: int) -> None:
            """A cold access of a slot is kept bytes (py-evm asked first, or it is an access list's)."""
            if not super().is_storage_warm(address, slot):
                self.live.cold_slot(address, slot)
            super().mark_storage_warm(address, slot)

        def set_transient_storage(self, address: bytes, slot: int, value: bytes) -> None:
            """A TSTORE past its static check and its gas (py-evm's only caller) is counted."""
            self.live.tstore(address, slot)
            super().set_transient_storage(address, slot, value)

        def apply_withdrawal(self, withdrawal: Any) -> None:
            """Version 2: the recipient is touched; if not yet made warm in the block, a cold access too."""
            live = self.live
            if live.paths is not None:
                if withdrawal.address not in live.warmed:
                    live.cold_account(withdrawal.address)
                live.touch_account(withdrawal.address)
            super().apply_withdrawal(withdrawal)

        def increment_nonce(self, address: bytes) -> None:
            """A nonce increment is a journal entry."""
            self.live.journal(LIVE_NONCE)
            super().increment_nonce(address)

        def set_code(self, address: bytes, code: bytes) -> None:
            """Deposited code is kept bytes (not py-evm's Cancun re-setting of the beacon roots code
            it finds already there: no code changes, and the guest holds nothing new)."""
            if code != super().get_code(address):
                self.live.code_changed.add(address)
                if code:
                    self.live.keep(LIVE_CODE + LIVE_CODE_BYTE * len(code))
            super().set_code(address, code)

        def get_code(self, address: bytes) -> bytes:
            """py-evm's code read, counted on version 2 the first time (where the guest reads it)."""
            code = super().get_code(address)
            self.live.code(address, code)
            return code

        def delete_account(self, address: bytes) -> None:
            """A deleted account's code is no longer the block's pre-state one."""
            self.live.code_changed.add(address)
            super().delete_account(address)

    LiveState.computation_class = computation_class
    LiveState.__name__ = f"Live{base.__name__}"
    return LiveState
