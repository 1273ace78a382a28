"""The referee of the dispute game: bisection bookkeeping and the final one-step check (spec §5.2).

It knows only a TemplateInfo (Q* root, ROM root, window size), the claims the parties make, and the
step proof at the end: it imports nothing but emulator's pure-Python tree and replay-proof code, so
it never runs a machine, Unicorn or py-evm.

Positions are step counts 0 … 2^log2_steps. In a chain game, positions that are multiples of the
window 2^a are block boundaries and are claimed as S roots (the referee derives the machine root
H(H(Q*, S), H(ROM, Z25)) itself, so a boundary claim can never name a Q other than Q*); every
other position is claimed as a machine root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator import merkle
from emulator.errors import SwapvmError
from emulator.proof import ProofError, StepProof, verify

PARTIES = ("proposer", "challenger")
ROOT_BYTES = 32
StepVerifier = Callable[[StepProof, bytes], bytes]   # (proof, Q* root) -> post-root, or raise ProofError


class RefereeError(SwapvmError):
    """A party's message breaks the rules; the party that sent it loses."""


class MalformedMove(RefereeError):
    """A move names the wrong round or positions, or a claim that is not a 32-byte root."""


class Equivocation(RefereeError):
    """A party restates a position with a root other than the one it claimed before."""


class ProofRejected(RefereeError):
    """A party's step proof does not take the agreed root to its claim."""


@dataclass(frozen=True)
class TemplateInfo:
    """What the referee knows of the machine: the Q* and ROM roots and the window size (2^a steps)."""

    qstar_root: bytes
    rom_root: bytes
    log2_window: int

    def __post_init__(self) -> None:
        """Refuse roots that are not 32 bytes and impossible windows."""
        for name in ("qstar_root", "rom_root"):
            if not isinstance(getattr(self, name), bytes) or len(getattr(self, name)) != ROOT_BYTES:
                raise SwapvmError(f"template info: {name} must be {ROOT_BYTES} bytes")
        if not 1 <= self.log2_window <= 63:
            raise SwapvmError(f"template info: log2_window {self.log2_window} outside 1..63")

    @classmethod
    def of(cls, template: Any) -> TemplateInfo:
        """The info of an emulator Template (anything with qstar_root(), rom_root() and params)."""
        return cls(template.qstar_root(), template.rom_root(), template.params.log2_window)

    def window_root(self, s_root: bytes) -> bytes:
        """The machine root at a window boundary whose S root is s_root."""
        return merkle.machine_root(self.qstar_root, s_root, self.rom_root)

    def to_json(self) -> dict[str, Any]:
        """Hex form for transcripts."""
        return {"qstar_root": self.qstar_root.hex(), "rom_root": self.rom_root.hex(),
                "log2_window": self.log2_window}


@dataclass(frozen=True)
class Move:
    """One party's message in one round: its roots at the interval's lo, mid and hi, by position."""

    party: str
    round: int
    claims: tuple[tuple[int, bytes], ...]


@dataclass
class Verdict:
    """How the game ended: the winner (None if nobody backed a claim), the loser(s) and why."""

    winner: str | None
    losers: tuple[str, ...]
    reason: str
    position: int | None = None          # the disputed step: from position to position + 1

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"winner": self.winner, "losers": list(self.losers), "reason": self.reason,
                "position": self.position}


def check_step(
    info: TemplateInfo, agreed_root: bytes, claimed_root: bytes, proof: StepProof,
    verifier: StepVerifier = verify,
) -> bytes:
    """Check that proof takes agreed_root to claimed_root (machine roots); the post-root, or ProofRejected."""
    if proof.pre_root != agreed_root:
        raise ProofRejected(f"the proof starts at {proof.pre_root.hex()}, not the agreed {agreed_root.hex()}")
    if proof.post_root != claimed_root:
        raise ProofRejected(f"the proof ends at {proof.post_root.hex()}, not the claim {claimed_root.hex()}")
    try:
        return verifier(proof, info.qstar_root)
    except ProofError as exc:
        raise ProofRejected(f"{type(exc).__name__}: {exc}") from None


@dataclass
class Referee:
    """Keeps every claim of both parties, narrows [lo, hi] round by round, and judges the last step."""

    info: TemplateInfo
    log2_steps: int
    chain: bool
    start: bytes                          # the agreed claim at position 0 (an S root in a chain game)
    claims: dict[str, dict[int, bytes]] = field(default_factory=dict)
    lo: int = 0
    hi: int = 0
    round: int = 0
    verdict: Verdict | None = None
    verifier: StepVerifier = verify       # the replay verifier; e.g. the on-chain contract instead

    def __post_init__(self) -> None:
        """Start with both parties agreeing on position 0 and nothing else."""
        if not 0 <= self.log2_steps <= 126:
            raise SwapvmError(f"a game over 2^{self.log2_steps} steps is not supported")
        if self.chain and self.log2_steps < self.info.log2_window:
            a = self.info.log2_window
            raise SwapvmError(f"a chain game spans whole windows: 2^{self.log2_steps} steps < 2^{a}")
        self._check_root(self.start, "the start claim")
        self.claims = {party: {0: self.start} for party in PARTIES}
        self.hi = 1 << self.log2_steps

    # --- claims ----------------------------------------------------------------------------------
    @property
    def rounds(self) -> int:
        """Bisection rounds in a game: one per bit of the step count (b + a in a chain game)."""
        return self.log2_steps

    def is_boundary(self, position: int) -> bool:
        """Whether a position is claimed as an S root (a block boundary of a chain game)."""
        return self.chain and position % (1 << self.info.log2_window) == 0

    def level(self, position: int) -> int:
        """1 for a midpoint at a block boundary (A's snapshots), 2 for one inside a window (AB)."""
        return 1 if self.is_boundary(position) else 2

    def machine_root(self, party: str, position: int) -> bytes:
        """The machine root a party claims at a position (derived from the S root at a boundary)."""
        claim = self.claims[party][position]
        return self.info.window_root(claim) if self.is_boundary(position) else claim

    @staticmethod
    def _check_root(root: object, what: str) -> None:
        """A claim must be 32 bytes."""
        if not isinstance(root, bytes) or len(root) != ROOT_BYTES:
            raise MalformedMove(f"{what} is not a {ROOT_BYTES}-byte root")

    def _record(self, party: str, position: int, root: bytes) -> None:
        """Remember a claim; a different root for a position already claimed is equivocation."""
        self._check_root(root, f"{party}'s claim at position {position}")
        earlier = self.claims[party].get(position)
        if earlier is not None and earlier != root:
            raise Equivocation(
                f"{party} claimed {earlier.hex()} at position {position} and now claims {root.hex()}"
            )
        self.claims[party][position] = root

    def open(self, finals: dict[str, bytes]) -> None:
        """Both parties' claims at the last position; the game exists only if they differ."""
        if set(finals) != set(PARTIES):
            raise MalformedMove(f"opening claims must come from {' and '.join(PARTIES)}")
        for party in PARTIES:
            self._record(party, self.hi, finals[party])
        if finals["proposer"] == finals["challenger"]:
            raise SwapvmError("the parties agree on the final root: there is nothing to dispute")

    # --- rounds ----------------------------------------------------------------------------------
    def midpoint(self) -> int:
        """The position both parties must claim in this round."""
        return (self.lo + self.hi) // 2

    def submit(self, move: Move) -> None:
        """Check one move: the right round, exactly lo/mid/hi, restated roots equal to earlier claims."""
        if move.party not in PARTIES:
            raise MalformedMove(f"unknown party {move.party!r}")
        if move.round != self.round or self.round >= self.rounds:  # past the last round: judge
            raise MalformedMove(f"{move.party} moved in round {move.round}; the game is in {self.round}")
        positions = [position for position, _ in move.claims]
        wanted = [self.lo, self.midpoint(), self.hi]
        if positions != wanted:
            raise MalformedMove(f"{move.party} claimed positions {positions}; round {self.round} is {wanted}")
        for position, root in move.claims:
            self._record(move.party, position, root)

    def close_round(self) -> bool:
        """After both moves: agreement at mid moves lo up, disagreement moves hi down. Returns agreement."""
        mid = self.midpoint()
        if any(mid not in self.claims[party] for party in PARTIES):
            raise MalformedMove(f"round {self.round} closed before both parties claimed position {mid}")
        agreed = self.claims["proposer"][mid] == self.claims["challenger"][mid]
        if agreed:
            self.lo = mid
        else:
            self.hi = mid
        self.round += 1
        return agreed

    # --- the end ---------------------------------------------------------------------------------
    def judge(self, proofs: dict[str, StepProof | None]) -> tuple[Verdict, dict[str, str]]:
        """The one-step check: a party wins iff its proof takes the agreed root at lo to its claim at hi."""
        if self.round != self.rounds or self.hi != self.lo + 1:
            raise SwapvmError(f"judge called in round {self.round} with [{self.lo}, {self.hi}] not one step")
        agreed = self.machine_root("proposer", self.lo)
        outcomes: dict[str, str] = {}
        backed = []
        for party in PARTIES:
            proof = proofs.get(party)
            if proof is None:
                outcomes[party] = "no proof"
                continue
            try:
                check_step(self.info, agreed, self.machine_root(party, self.hi), proof, self.verifier)
            except RefereeError as exc:
                outcomes[party] = str(exc)
                continue
            outcomes[party] = "valid"
            backed.append(party)
        if len(backed) == 1:
            winner = backed[0]
            loser = next(p for p in PARTIES if p != winner)
            why = outcomes[loser].split(":")[0]
            reason = f"{loser} cannot back its claim at position {self.hi} with a step proof ({why})"
            self.verdict = Verdict(winner, (loser,), reason, self.lo)
        else:   # both backed is impossible (the step is a function of the pre-state); neither: both lose
            self.verdict = Verdict(None, PARTIES, "no party backs its claim with a valid step proof", self.lo)
        return self.verdict, outcomes

    @staticmethod
    def blame(error: RefereeError) -> str:
        """The party an opening error names (messages start with the party)."""
        return next((p for p in PARTIES if str(error).startswith(p)), PARTIES[0])

    def forfeit(self, party: str, error: RefereeError) -> Verdict:
        """A party broke the rules (malformed move, equivocation): the other party wins."""
        other = next(p for p in PARTIES if p != party)
        self.verdict = Verdict(other, (party,), f"{party}: {type(error).__name__}: {error}", None)
        return self.verdict
