"""The parties of a dispute: an honest one, a liar (a LieSpec planned on the truth) and an equivocator.

Every party answers the referee's rounds with its roots at lo, mid and hi and, at the end, a step
proof backing its claim at hi. Liars know the truth (they share the honest computation) and
depart from it at their lie position; their best proof is the true step proof relabelled with
their own post-root, which the referee rejects.
"""

from __future__ import annotations

from dataclasses import replace

from emulator.errors import SwapvmError
from emulator.proof import StepProof, prove_step
from swapping.dispute.lies import Lie, LieSpec, boundary_lie, fake_root, tampered_state
from swapping.dispute.referee import Move, TemplateInfo
from swapping.dispute.trace import ChainTrace, MachineTrace, SingleTrace

Knowledge = ChainTrace | SingleTrace


def is_boundary(knowledge: Knowledge, position: int) -> bool:
    """Whether a position is a block boundary (claimed as an S root)."""
    return isinstance(knowledge, ChainTrace) and knowledge.split(position)[1] == 0


def window_shape(knowledge: Knowledge, block: int) -> tuple[MachineTrace, int]:
    """The trace of one window and its size in steps (a machine game is one window of 2^k steps)."""
    if isinstance(knowledge, ChainTrace):
        windows = 1 << knowledge.log2_blocks
        if not 0 <= block < windows:
            raise SwapvmError(f"block {block} outside the game's windows 0..{windows - 1}")
        return knowledge.window(block), 1 << knowledge.log2_window
    if block != 0:
        raise SwapvmError(f"a machine game has one window: block must be 0, got {block}")
    return knowledge.trace, 1 << knowledge.log2_steps


def default_step(kind: str, halt: int, size: int) -> int:
    """Where a lie of this kind sits in its window when the user names no step."""
    if kind in ("s-root", "clean"):
        return size - 1
    if kind == "idle":
        if halt >= size - 1:
            raise SwapvmError(f"no idle steps: the machine runs until step {halt} of {size}")
        return (halt + size - 1) // 2
    if kind == "fault-hide":
        return max(halt - 1, 0)
    return halt // 2 if halt > 0 else size // 2


def plan_lie(spec: LieSpec, knowledge: Knowledge) -> Lie:
    """The position L of a lie and the root claimed there, checked against the truth."""
    trace, size = window_shape(knowledge, spec.block)
    step = spec.step if spec.step is not None else default_step(spec.kind, trace.halt_step(size), size)
    if not 0 <= step < size:
        raise SwapvmError(f"step {step} outside the window's steps 0..{size - 1}")
    position = spec.block * size + step + 1
    if is_boundary(knowledge, position):
        assert isinstance(knowledge, ChainTrace)
        if spec.kind not in ("s-root", "clean", "step", "equivocate"):
            raise SwapvmError(f"a {spec.kind} lie cannot sit on the clean (step {step}); use kind=clean")
        before, after = knowledge.s_images[spec.block], knowledge.s_images[spec.block + 1]
        return Lie(spec.kind, position, boundary_lie(spec.kind, before, after), spec.round)
    if spec.kind == "s-root":
        raise SwapvmError(f"an s-root lie is a claim at a block boundary: step must be {size - 1}")
    if spec.kind == "clean" and isinstance(knowledge, ChainTrace):
        raise SwapvmError(f"a clean lie sits on the last step of a window: step must be {size - 1}")
    fake = tampered_state(spec.kind, trace.state(step), trace.state(step + 1), knowledge.template)
    return Lie(spec.kind, position, fake.root(), spec.round)


class Party:
    """An honest party: claims the truth and proves its steps."""

    def __init__(self, name: str, knowledge: Knowledge, info: TemplateInfo) -> None:
        """A party named proposer or challenger, knowing the computation."""
        self.name, self.knowledge, self.info = name, knowledge, info
        self.said: dict[int, bytes] = {}

    @property
    def honest(self) -> bool:
        """Whether this party tells the truth."""
        return True

    @property
    def role(self) -> str:
        """What the transcript calls this party: honest (a liar names its lie)."""
        return "honest"

    def claim(self, position: int) -> bytes:
        """This party's root at a position (an S root at a block boundary)."""
        if position not in self.said:
            self.said[position] = self.knowledge.claim(position)
        return self.said[position]

    def machine_claim(self, position: int) -> bytes:
        """This party's machine root at a position."""
        root = self.claim(position)
        return self.info.window_root(root) if is_boundary(self.knowledge, position) else root

    def move(self, round_number: int, lo: int, mid: int, hi: int) -> Move:
        """Its roots at lo, mid and hi for this round."""
        return Move(self.name, round_number, tuple((p, self.claim(p)) for p in (lo, mid, hi)))

    def prove(self, position: int) -> StepProof | None:
        """A proof of the step from position to position + 1."""
        knowledge = self.knowledge
        return prove_step(knowledge.template, knowledge.state(position), knowledge.oracle_at(position))


class Liar(Party):
    """A party whose story leaves the truth at its lie's position."""

    def __init__(self, name: str, knowledge: Knowledge, info: TemplateInfo, lie: Lie) -> None:
        """A liar telling `lie`."""
        super().__init__(name, knowledge, info)
        self.lie = lie

    @property
    def honest(self) -> bool:
        """A liar is not honest."""
        return False

    @property
    def role(self) -> str:
        """The lie it tells: kind and first wrong position."""
        return f"{self.lie.kind} lie from position {self.lie.position}"

    def claim(self, position: int) -> bytes:
        """The truth before L, the planted root at L, fakes after it."""
        if position < self.lie.position:
            return super().claim(position)
        if position == self.lie.position:
            return self.lie.root
        return fake_root(self.knowledge.claim(position))

    def prove(self, position: int) -> StepProof | None:
        """The best it can do: the true step's proof with its own post-root written in."""
        proof = super().prove(position)
        assert proof is not None
        return replace(proof, post_root=self.machine_claim(position + 1))


class Equivocator(Liar):
    """A liar that, at one round, restates its claim at hi as the truth (or, at the end, proves the truth)."""

    def move(self, round_number: int, lo: int, mid: int, hi: int) -> Move:
        """Its moves, except that at its round the hi claim switches to the honest root."""
        move = super().move(round_number, lo, mid, hi)
        if round_number != self.lie.round:
            return move
        claims = list(move.claims)
        claims[2] = (hi, self.knowledge.claim(hi))
        return Move(self.name, round_number, tuple(claims))

    def prove(self, position: int) -> StepProof | None:
        """At the end (its round past the last), the true proof: a post-root it never claimed."""
        if self.lie.round is not None and self.lie.round >= self.knowledge.log2_steps:
            return Party.prove(self, position)
        return super().prove(position)


def make_party(name: str, knowledge: Knowledge, info: TemplateInfo, lie: LieSpec | None) -> Party:
    """An honest party (lie None), or the liar or equivocator for a LieSpec."""
    if lie is None:
        return Party(name, knowledge, info)
    planned = plan_lie(lie, knowledge)
    if lie.kind == "equivocate":
        rounds = knowledge.log2_steps
        round_number = lie.round if lie.round is not None else rounds // 2
        if not 0 <= round_number <= rounds:
            raise SwapvmError(f"equivocation round {round_number} outside 0..{rounds} ({rounds}: the proof)")
        return Equivocator(name, knowledge, info, replace(planned, round=round_number))
    return Liar(name, knowledge, info, planned)


def tamper_check(knowledge: Knowledge, lie: Lie) -> bool:
    """Whether the planted root differs from the truth (a lie that happens to be true is no lie)."""
    return lie.root != knowledge.claim(lie.position)


__all__ = ["Equivocator", "Knowledge", "Liar", "Party", "make_party", "plan_lie", "tamper_check"]
