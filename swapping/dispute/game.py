"""Playing a dispute: the rounds between two parties before the referee, and the two ways to set one up.

`chain_game` disputes 2^(a+b) steps of a replayed chain (level 1 over A's snapshots, level 2 inside
the disputed window on AB); `machine_game` disputes 2^k steps of any template and start state
(level 2 only), so the game can be exercised on tiny windows and arbitrary programs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from emulator.errors import SwapvmError
from emulator.layout import CAUSE_NAMES, SHADOW_CAUSE, SHADOW_CLOCK, SHADOW_PC, SHADOW_STATUS, STATUS_NAMES
from emulator.oracle import PreimageOracle
from emulator.proof import StepProof
from emulator.state import MachineState
from emulator.template import Template
from swapping.dispute.disasm import disassemble
from swapping.dispute.lies import LieSpec
from swapping.dispute.parties import Knowledge, Party, is_boundary, make_party
from swapping.dispute.referee import PARTIES, Referee, RefereeError, StepVerifier, TemplateInfo, Verdict
from swapping.dispute.trace import ChainTrace, MachineTrace, SingleTrace
from swapping.dispute.transcript import RoundRecord, Transcript


@dataclass
class GameResult:
    """A finished game: the verdict, the transcript, the final proofs and the parties."""

    verdict: Verdict
    transcript: Transcript
    proofs: dict[str, StepProof | None]
    parties: dict[str, Party]
    referee: Referee

    @property
    def honest_won(self) -> bool:
        """Whether the winner is the honest party."""
        return self.verdict.winner is not None and self.parties[self.verdict.winner].honest

    @property
    def rounds(self) -> int:
        """Bisection rounds played."""
        return len(self.transcript.rounds)


def describe_step(knowledge: Knowledge, position: int) -> dict[str, Any]:
    """The disputed step for people: window and step, pc, the instruction (disassembled), status."""
    state: MachineState = knowledge.state(position)
    pc = state.read_u64(SHADOW_PC)
    status = state.read_u64(SHADOW_STATUS)
    word = int.from_bytes(state.read(pc, 4), "little") if pc + 4 <= 1 << 32 else 0
    if isinstance(knowledge, ChainTrace):
        block, step = knowledge.split(position)
    else:
        block, step = 0, position
    window = 1 << knowledge.template.params.log2_window
    clock = state.read_u64(SHADOW_CLOCK)
    executes = status == 0
    return {
        "position": position,
        "block": block,
        "step": step,
        "pc": pc,
        "clock": clock,
        "status": STATUS_NAMES.get(status, str(status)),
        "cause": CAUSE_NAMES.get(state.read_u64(SHADOW_CAUSE), "?"),
        "word": word if executes else None,
        "instruction": disassemble(word, pc) if executes else "(idle tick)",
        "cleans": clock + 1 == window,
    }


def play(referee: Referee, parties: dict[str, Party], knowledge: Knowledge, mode: str) -> GameResult:
    """Run the game to its verdict; a party breaking the rules forfeits, and every round is recorded."""
    start = time.perf_counter()
    transcript = Transcript(
        mode=mode,
        template=referee.info.to_json(),
        log2_steps=referee.log2_steps,
        log2_window=referee.info.log2_window,
        start=referee.start.hex(),
        opening={},
        parties={name: party.role for name, party in parties.items()},
    )
    result = GameResult(Verdict(None, (), "unfinished"), transcript, {}, parties, referee)
    finals = {name: parties[name].claim(referee.hi) for name in PARTIES}
    transcript.opening = {name: root.hex() for name, root in finals.items()}
    try:
        referee.open(finals)
    except RefereeError as exc:
        return _finish(result, referee.forfeit(referee.blame(exc), exc), start)
    for number in range(referee.rounds):
        lo, mid, hi = referee.lo, referee.midpoint(), referee.hi
        began = time.perf_counter()
        moves: dict[str, list[list[int | str]]] = {}
        for name in PARTIES:
            move = parties[name].move(number, lo, mid, hi)
            moves[name] = [[position, root.hex()] for position, root in move.claims]
            try:
                referee.submit(move)
            except RefereeError as exc:
                transcript.rounds.append(_round(referee, number, (lo, mid, hi), moves, None, began))
                return _finish(result, referee.forfeit(name, exc), start)
        agreed = referee.close_round()
        transcript.rounds.append(_round(referee, number, (lo, mid, hi), moves, agreed, began))
    proofs = {name: parties[name].prove(referee.lo) for name in PARTIES}
    verdict, outcomes = referee.judge(proofs)
    result.proofs = proofs
    transcript.final = {
        "lo": referee.lo,
        "hi": referee.hi,
        "agreed_root": referee.machine_root("proposer", referee.lo).hex(),
        "claims": {name: referee.machine_root(name, referee.hi).hex() for name in PARTIES},
        "step": describe_step(knowledge, referee.lo),
        "proofs": {
            name: {"outcome": outcomes[name],
                   "bytes": len(p.to_bytes()) if p is not None else 0,
                   "leaves": len(p.leaves) if p is not None else 0,
                   "proof": p.to_json() if p is not None else None}
            for name, p in proofs.items()
        },
    }
    return _finish(result, verdict, start)


def _round(referee: Referee, number: int, interval: tuple[int, int, int],
           moves: dict[str, list[list[int | str]]], agreed: bool | None, began: float) -> RoundRecord:
    """The transcript entry of one round: the interval, both moves as sent, the roots at mid."""
    lo, mid, hi = interval
    claims = {name: referee.claims[name][mid].hex() for name in PARTIES if mid in referee.claims[name]}
    return RoundRecord(number, referee.level(mid), lo, mid, hi, claims, bool(agreed),
                       time.perf_counter() - began, moves)


def _finish(result: GameResult, verdict: Verdict, start: float) -> GameResult:
    """Store the verdict and the game's wall time."""
    result.verdict = verdict
    result.transcript.verdict = verdict.to_json()
    result.transcript.ab_steps = next(iter(result.parties.values())).knowledge.steps_run
    result.transcript.seconds = time.perf_counter() - start
    return result


def _parties(knowledge: Knowledge, info: TemplateInfo, lie: LieSpec | None, liar: str) -> dict[str, Party]:
    """The honest party and the liar, in their roles."""
    if liar not in PARTIES:
        raise SwapvmError(f"the liar must be one of {', '.join(PARTIES)}, not {liar!r}")
    return {name: make_party(name, knowledge, info, lie if name == liar else None) for name in PARTIES}


def pad_chain(s_images: list[bytes]) -> list[bytes]:
    """S_0 … S_n padded with S_n to 2^b + 1 snapshots (steps past the inbox are no-ops of A)."""
    if not s_images:
        raise SwapvmError("a chain game needs at least S_0")
    blocks = max(len(s_images) - 1, 1)
    windows = 1 << (blocks - 1).bit_length()
    return s_images + [s_images[-1]] * (windows + 1 - len(s_images))


def chain_game(
    template: Template, s_images: list[bytes], lie: LieSpec | None, liar: str = "challenger",
    backend: str = "unicorn", verifier: StepVerifier | None = None, oracle: PreimageOracle | None = None,
    window_oracles: list[PreimageOracle | None] | None = None,
) -> GameResult:
    """Dispute a chain S_0 … S_n (A's snapshots) under template: 2^(a+b) steps, b + a rounds.

    oracle serves the parties' machines (and so the preimages their step proofs carry); on S version 2,
    window_oracles[t] serves window t alone (block t's witness).
    """
    knowledge = ChainTrace(template, pad_chain(s_images), backend, oracle, window_oracles)
    info = TemplateInfo.of(template)
    referee = Referee(info, knowledge.log2_steps, True, knowledge.s_root(0))
    if verifier is not None:
        referee.verifier = verifier
    return play(referee, _parties(knowledge, info, lie, liar), knowledge, "chain")


def machine_game(
    template: Template, start: MachineState, log2_steps: int, lie: LieSpec | None,
    liar: str = "challenger", backend: str = "unicorn", verifier: StepVerifier | None = None,
    oracle: PreimageOracle | None = None,
) -> GameResult:
    """Dispute 2^log2_steps steps of template from start (any state): log2_steps rounds."""
    knowledge = SingleTrace(MachineTrace(template, start, backend, oracle), log2_steps)
    info = TemplateInfo.of(template)
    referee = Referee(info, log2_steps, False, knowledge.claim(0))
    if verifier is not None:
        referee.verifier = verifier
    return play(referee, _parties(knowledge, info, lie, liar), knowledge, "machine")


__all__ = ["GameResult", "chain_game", "describe_step", "is_boundary", "machine_game", "pad_chain", "play"]
