"""The guest's peak heap during a block as a function of gas, derived from the gas schedule (spec §4.9).

`execution_bound(used, limit)` bounds the heap a block's execution adds to what loading S took:
`used` is the gas the block spends (before refunds), `limit` the most gas one transaction of it
may have (its gas limit). Each term names what the guest holds (guest/src/evm) and the gas that
pays for it; tests/guest/test_evm_heap_ab.py and `swapvm bench heap` check it by measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEPTH_LIMIT = 1024                 # call depths 0 … 1024
CHAIN_RATIO = 64 / 63              # the 63/64 rule: depth k gets at most limit * (63/64)^k
MIN_FRAME_GAS = 100                # the cheapest call of a chain: a warm CALL/STATICCALL and nothing else
STACK_BYTES = 1024 * 32            # one operand stack per depth reached, reused by later frames there
INITCODE_BYTES = 4096 + 49152      # init code copies of a depth: a small block and the EIP-3860 largest
JUMP_SCRATCH_BYTES = 6160          # the jump table of the largest init code, once per depth
REGION_SLACK = 1.25                # the memory region grows by a quarter at least (interp.c)
# A doubling buffer on the bump heap (the return data, a precompile's input): its block is less than
# twice what it holds, and its old copies stay behind (together less than the block): 4x at most.
BUFFER_TRAIL = 4
# The vectors kept to a transaction's or the block's end (journal, touched list, self-destructs,
# logs) grow in chunks of 1024 items that never move: one chunk of slack each, 48 KiB at most.
VECTOR_SLACK = 4 * 1024 * 48 + 4096
# Bytes kept until the transaction or the block ends, per gas, at most: a log's data byte
# (8 gas) is held four times, in the log's block, in its transaction's receipt (trimmed to size)
# and in the receipts trie's encoding buffer (doubling: up to twice); 4/8 = 0.5. Each other kept
# item costs more gas per byte: a journal entry (48 B) per SSTORE of a warm slot in a new
# checkpoint (100 gas + 5 to push key and value: 0.46 B/gas), a log's topic (32 B held four
# times per 375 gas: 0.34), a log's record with an empty receipt entry (48 + 3 x 23 B per 379
# gas: 0.31), a touched-list entry (8 B per CALL of 100 gas at least), an account (~300 B with
# its table share and journal entry) per 2600 gas, a slot (~240 B) per 2100 gas.
KEPT_BYTES_PER_GAS = 0.5
# Cancun adds transient storage (guest/src/evm/world.c), kept to the block's end: per TSTORE of a new
# (account, key), an 80 B entry, its table (8 B pointers at a load of 1/4 to 1/2, at most 32 B, and
# the old tables a doubling leaves behind, less than as much again) and a journal entry of 48 B, for
# 106 gas at least (100 + two pushes): 192 / 106 = 1.81 B per gas.
KEPT_BYTES_PER_GAS_CANCUN = 192 / 106

PER_DEPTH_BYTES = STACK_BYTES + INITCODE_BYTES + JUMP_SCRATCH_BYTES
# With the live-byte budget (reason 9, guest/src/evm/live.h): what the count leaves out. The journal
# entries of a transaction's own start and end (fee, nonce, refund, coinbase: six entries and a touch),
# one chunk of slack per vector, and the memory region's page rounding.
TX_OWN_JOURNAL = 6 * 48 + 8
RULE_SLACK = VECTOR_SLACK + TX_OWN_JOURNAL + 4096


def memory_cost(words: float) -> float:
    """The gas of `words` words of EVM memory: 3w + w^2/512."""
    return 3 * words + words * words / 512


def words_for_gas(gas: float) -> float:
    """The most memory words `gas` pays for (the inverse of memory_cost)."""
    return (-1536 + math.sqrt(1536 * 1536 + 2048 * gas)) / 2


def depth_reach(limit: float) -> int:
    """The deepest call depth a transaction of `limit` gas can reach, MIN_FRAME_GAS per frame."""
    need, depth = 0.0, 0
    while depth < DEPTH_LIMIT and need + MIN_FRAME_GAS * CHAIN_RATIO**depth <= limit:
        need += MIN_FRAME_GAS * CHAIN_RATIO**depth
        depth += 1
    return depth


def _chain_words(price: np.ndarray, free: float) -> np.ndarray:
    """Memory words per depth where a word's marginal gas, 3 + w/256, meets its price."""
    with np.errstate(divide="ignore"):  # a free word (price 0) is worth any gas: infinitely many
        return np.maximum(0.0, 256 * (1 / (price + free) - 3))


def chain_memory_bytes(used: float, limit: float) -> float:
    """The most EVM memory live at once on one call chain. A frame at depth k spends s_k on memory
    before calling on; the 63/64 rule gives sum_k s_k (64/63)^k <= limit, and all spends are gas
    used: sum_k s_k <= used. Words are concave in gas, so the optimum is where each depth's
    marginal word per gas, 1/(3 + w/256), equals lam * (64/63)^k + nu (two multipliers, found
    by bisection); an upper bound, since it leaves out every cost but memory's."""
    weight = CHAIN_RATIO ** np.arange(DEPTH_LIMIT + 1)

    def spend(lam: float, nu: float) -> tuple[float, float]:
        words = _chain_words(lam * weight, nu)
        cost = 3 * words + words * words / 512
        return float(cost @ weight), float(cost.sum())

    def lam_for(nu: float) -> float:
        if spend(0.0, nu)[0] <= limit:
            return 0.0
        low, high = 0.0, 1.0
        for _ in range(200):
            mid = (low + high) / 2
            if spend(mid, nu)[0] > limit:
                low = mid
            else:
                high = mid
        return high

    nu = 0.0
    if spend(lam_for(0.0), 0.0)[1] > used:
        low, high = 0.0, 1 / 3
        for _ in range(200):
            mid = (low + high) / 2
            if spend(lam_for(mid), mid)[1] > used:
                low = mid
            else:
                high = mid
        nu = high
    return 32 * float(_chain_words(lam_for(nu) * weight, nu).sum())


@dataclass(frozen=True)
class HeapBound:
    """The terms of the bound, in bytes."""

    per_depth: float       # operand stacks, init code copies and jump tables of the depths reached
    memory: float          # the memory region: every frame's memory on the deepest chain, with slack
    buffers: float         # the return data and precompile input buffers (one each, doubling)
    kept: float            # journal, touched list, logs, receipts, accounts and slots: per gas

    @property
    def total(self) -> float:
        """The whole bound."""
        return self.per_depth + self.memory + self.buffers + self.kept


def execution_bound(used: float, limit: float | None = None, kept_per_gas: float = KEPT_BYTES_PER_GAS
                    ) -> HeapBound:
    """The bound on the heap a block of `used` gas (tx gas limit `limit`, default `used`) adds; a
    Cancun block's kept bytes per gas are KEPT_BYTES_PER_GAS_CANCUN."""
    limit = used if limit is None else limit
    depths = depth_reach(limit) + 1
    largest = 32 * words_for_gas(used) + 4096
    return HeapBound(
        per_depth=depths * (STACK_BYTES + INITCODE_BYTES + JUMP_SCRATCH_BYTES),
        memory=REGION_SLACK * chain_memory_bytes(used, limit) + 4096,
        buffers=2 * BUFFER_TRAIL * largest,
        kept=kept_per_gas * used + VECTOR_SLACK,
    )


def exhausting_gas(heap_bytes: float) -> int:
    """The least block gas whose bound (one transaction using all of it) reaches `heap_bytes`."""
    low, high = 21_000, 1 << 40
    while high - low > 1_000_000:
        mid = (low + high) // 2
        if execution_bound(mid).total >= heap_bytes:
            high = mid
        else:
            low = mid
    return high


def rule_bound(live_total: float, limit: float | None = None) -> float:
    """The heap a block's execution adds when its count of live bytes is `live_total` (spec §4.9):
    the operand stacks, init code copies and jump tables of the depths a transaction of `limit` gas
    reaches (every depth when None), plus the count, plus what the count leaves out (RULE_SLACK).
    A block within the budget B therefore adds at most rule_bound(B), at any gas."""
    depths = DEPTH_LIMIT + 1 if limit is None else depth_reach(limit) + 1
    return depths * PER_DEPTH_BYTES + live_total + RULE_SLACK
