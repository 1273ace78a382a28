"""Re-judging a transcript: the referee alone, fed the recorded moves and proofs, must reach the same verdict.

Like the referee it imports nothing but the referee and emulator's proof code, so anyone holding a
transcript and no machine at all can check who won and why.
"""

from __future__ import annotations

from typing import Any

from emulator.errors import SwapvmError
from emulator.proof import StepProof
from swapping.dispute.referee import PARTIES, Move, Referee, RefereeError, TemplateInfo, Verdict


def _root(value: Any, what: str) -> bytes:
    """32 bytes from 64 hex digits."""
    try:
        root = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        root = b""
    if len(root) != 32:
        raise SwapvmError(f"transcript: {what} must be 64 hex digits, got {str(value)[:70]!r}")
    return root


def _move(name: str, number: int, claims: Any) -> Move:
    """A recorded move as the referee receives it."""
    if not isinstance(claims, list) or not all(isinstance(c, list) and len(c) == 2 for c in claims):
        raise SwapvmError(f"transcript: round {number}: {name}'s move must be a list of [position, root]")
    parsed = []
    for position, root in claims:
        if not isinstance(position, int) or isinstance(position, bool):
            raise SwapvmError(f"transcript: round {number}: {name}'s position {position!r} is not an integer")
        parsed.append((position, _root(root, f"round {number} {name} root")))
    return Move(name, number, tuple(parsed))


def _field(data: Any, key: str, kind: type) -> Any:
    """A required field of the given JSON type."""
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise SwapvmError(f"transcript: field {key!r} is missing or not a {kind.__name__}")
    return data[key]


def audit(data: Any) -> Verdict:
    """The verdict that follows from a transcript's template info, claims, moves and proofs alone."""
    template = _field(data, "template", dict)
    qstar, rom = (_root(template.get(key), key) for key in ("qstar_root", "rom_root"))
    info = TemplateInfo(qstar, rom, _field(template, "log2_window", int))
    mode = _field(data, "mode", str)
    if mode not in ("chain", "machine"):
        raise SwapvmError(f"transcript: unknown mode {mode!r}")
    start = _root(data.get("start"), "start")
    referee = Referee(info, _field(data, "log2_steps", int), mode == "chain", start)
    opening = _field(data, "opening", dict)
    try:
        referee.open({name: _root(opening.get(name), f"opening {name}") for name in PARTIES})
    except RefereeError as exc:
        return referee.forfeit(referee.blame(exc), exc)
    for record in _field(data, "rounds", list):
        number = _field(record, "number", int)
        moves = _field(record, "moves", dict)
        for name in PARTIES:
            if name not in moves:
                raise SwapvmError(f"transcript: round {number} has no move of {name}")
            try:
                referee.submit(_move(name, number, moves[name]))
            except RefereeError as exc:
                return referee.forfeit(name, exc)
        referee.close_round()
    final = _field(data, "final", dict)
    proofs: dict[str, StepProof | None] = {}
    for name in PARTIES:
        entry = _field(final, "proofs", dict).get(name) or {}
        proofs[name] = StepProof.from_json(entry["proof"]) if entry.get("proof") is not None else None
    verdict, _ = referee.judge(proofs)
    return verdict
