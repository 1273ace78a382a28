"""What a fixture expects of a chain's end: its postState (or postStateHash) and lastblockhash.

Replay checks them on A's final snapshot of each chain and says, per chain, whether it did: a
verdict is "match", "differs: …", "not given" (the fixture has no such field), "not checked: …"
(a side-chain test, whose expectations follow a chain S does not hold) or "not a fixture".
"""

from __future__ import annotations

from dataclasses import dataclass

from emulator.merkle import keccak
from fastvm.fixtures import FixtureTest
from fastvm.sfiles import AnyState, decode_any
from fastvm.state import Account
from fastvm.state_v2 import EssentialStateV2
from swapping.replay import ReplayReport
from swapping.store import Store

FIELDS = ("post_state", "last_block_hash")
NOT_A_FIXTURE = "not a fixture"
SIDE_CHAINS = "not checked: the test imports side-chain blocks, and S follows one chain (spec §4.5)"


@dataclass(frozen=True)
class Expected:
    """A fixture test's expectations of the chain's end."""

    post: tuple[Account, ...] | None
    post_state_hash: bytes | None
    last_block_hash: bytes | None
    side_chains: bool = False

    @classmethod
    def of(cls, test: FixtureTest) -> Expected:
        """The expectations of one BlockchainTests test."""
        return cls(test.post, test.post_state_hash, test.last_block_hash, test.side_chains)


def _post_state(expected: Expected, accounts: tuple[Account, ...]) -> str:
    """The verdict on the world state at the chain's end."""
    from fastvm.inspect_state import account_difference_lines, summary_line

    if expected.post is not None:
        if accounts == expected.post:
            return "match"
        lines = account_difference_lines(accounts, expected.post, ("A", "the fixture"))
        return "differs: " + summary_line(lines)
    if expected.post_state_hash is not None:
        from fastvm.world import state_root_of

        root = state_root_of(accounts)
        if root == expected.post_state_hash:
            return "match (postStateHash)"
        return f"differs: state root 0x{root.hex()} is not postStateHash 0x{expected.post_state_hash.hex()}"
    return "not given"


def _post_root(expected: Expected, root: bytes) -> str:
    """The verdict on the world at the chain's end when S holds only its root (version 2)."""
    if expected.post is not None:
        from fastvm.world import state_root_of

        wanted = state_root_of(expected.post)
        if root == wanted:
            return "match (state root of postState)"
        return f"differs: state root 0x{root.hex()} is not postState's 0x{wanted.hex()}"
    if expected.post_state_hash is not None:
        if root == expected.post_state_hash:
            return "match (postStateHash)"
        return f"differs: state root 0x{root.hex()} is not postStateHash 0x{expected.post_state_hash.hex()}"
    return "not given"


def check_end(expected: Expected | None, final: AnyState) -> dict[str, str]:
    """Each expectation's verdict on the chain's final state."""
    if expected is None:
        return dict.fromkeys(FIELDS, NOT_A_FIXTURE)
    if expected.side_chains:
        return dict.fromkeys(FIELDS, SIDE_CHAINS)
    last = keccak(final.parent_header)
    if expected.last_block_hash is None:
        last_verdict = "not given"
    elif last == expected.last_block_hash:
        last_verdict = "match"
    else:
        wanted = expected.last_block_hash.hex()
        last_verdict = f"differs: the last block is 0x{last.hex()}, lastblockhash 0x{wanted}"
    if isinstance(final, EssentialStateV2):
        from fastvm.witness import state_root_of_header

        post = _post_root(expected, state_root_of_header(final.parent_header))
    else:
        post = _post_state(expected, final.accounts)
    return {"post_state": post, "last_block_hash": last_verdict}


def judge_chains(
    report: ReplayReport, chains: list[tuple[str, AnyState]], expectations: dict[str, Expected],
    store: Store,
) -> None:
    """Fill report.fixture_checks: each chain's expectations against A's final snapshot (S_0 if no blocks)."""
    for name, s0 in chains:
        rows = [row for row in report.blocks if row.chain == name]
        final = decode_any(store.get_state(bytes.fromhex(rows[-1].s_root_a)), report.s_size) if rows else s0
        report.fixture_checks[name] = check_end(expectations.get(name), final)
